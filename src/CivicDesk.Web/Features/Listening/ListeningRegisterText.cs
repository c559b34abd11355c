using CivicDesk.Web.Domain;

namespace CivicDesk.Web.Features.Listening;

/// <summary>A search's changes in words the public register shows (never who made them: staff are not on trial there).</summary>
public static class ListeningRegisterText
{
    public static IEnumerable<string> Changes(
        (string Name, string Terms, SearchMatch Match, bool Enabled, bool Public, string? Purpose, string? LegalBasis) old, ListeningSearch now)
    {
        if (old.Terms != now.Terms)
        {
            var before = old.Terms.Split('\n').ToHashSet(StringComparer.OrdinalIgnoreCase);
            var after = now.TermList().ToHashSet(StringComparer.OrdinalIgnoreCase);
            var added = after.Except(before).ToList();
            var removed = before.Except(after).ToList();
            if (added.Count > 0)
            {
                yield return "Now also listens for: " + string.Join(", ", added);
            }

            if (removed.Count > 0)
            {
                yield return "Stopped listening for: " + string.Join(", ", removed);
            }
        }

        if (old.Match != now.Match)
        {
            yield return now.Match == SearchMatch.All ? "Now keeps only posts with all the terms" : "Now keeps posts with any of the terms";
        }

        if (old.Enabled != now.IsEnabled)
        {
            yield return now.IsEnabled ? "Switched on" : "Switched off";
        }

        if (old.Purpose != now.Purpose)
        {
            yield return "Purpose changed to: " + (now.Purpose ?? "none given");
        }

        if (old.LegalBasis != now.LegalBasis)
        {
            yield return "Legal basis changed to: " + (now.LegalBasis ?? "none given");
        }

        if (old.Public != now.IsPublic && now.IsPublic)
        {
            yield return "Added to the public register";
        }

        if (old.Name != now.Name)
        {
            yield return "Renamed to " + now.Name;
        }
    }
}
