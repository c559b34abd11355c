using System.Text;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Connectors.X;

/// <summary>
/// Turns the organisation's listening searches into X queries, so the stream (or recent search) fetches what the
/// listening filter will keep. A term stays as written when it is a #hashtag or @handle, a phrase is quoted, and
/// "any" searches become <c>(a OR b …)</c>, "all" searches <c>a b …</c>; retweets are left out (their text is the
/// original's). A long "any" search is split into several rules of at most <see cref="MaxRuleLength"/> characters.
/// </summary>
public static class XSearchRules
{
    /// <summary>The rule length of X's self-serve tiers.</summary>
    public const int MaxRuleLength = 512;

    private const string Suffix = " -is:retweet";

    public static IReadOnlyList<string> From(IEnumerable<ListeningSearch> searches)
    {
        var rules = new List<string>();
        foreach (var search in searches.Where(s => s.IsEnabled))
        {
            var atoms = search.TermList().Select(Atom).Where(a => a.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            if (atoms.Count == 0)
            {
                continue;
            }

            if (search.Match == SearchMatch.All || atoms.Count == 1)
            {
                var rule = string.Join(' ', atoms) + Suffix;
                if (rule.Length <= MaxRuleLength)
                {
                    rules.Add(rule);
                }

                continue;
            }

            var current = new List<string>();
            foreach (var atom in atoms)
            {
                if (current.Count > 0 && Any(current.Append(atom)).Length > MaxRuleLength)
                {
                    rules.Add(Any(current));
                    current.Clear();
                }

                current.Add(atom);
            }

            rules.Add(Any(current));
        }

        return rules;
    }

    /// <summary>The enabled searches of one organisation (system work: explicit organisation filter).</summary>
    public static async Task<IReadOnlyList<ListeningSearch>> LoadAsync(IServiceScopeFactory? scopes, long organisationId, CancellationToken ct)
    {
        if (scopes is null)
        {
            return [];
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        return await db.ListeningSearches.IgnoreQueryFilters().AsNoTracking()
            .Where(s => s.OrganisationId == organisationId && s.IsEnabled).OrderBy(s => s.Name).ToListAsync(ct);
    }

    private static string Any(IEnumerable<string> atoms)
    {
        var list = atoms.ToList();
        return list.Count == 1 ? list[0] + Suffix : "(" + string.Join(" OR ", list) + ")" + Suffix;
    }

    private static string Atom(string term)
    {
        var text = term.Trim().Replace("\"", "", StringComparison.Ordinal);
        if (text.Length == 0)
        {
            return "";
        }

        return text.Contains(' ', StringComparison.Ordinal) ? new StringBuilder("\"").Append(text).Append('"').ToString() : text;
    }
}
