using CivicDesk.Triage.Duplicates;
using CivicDesk.Web.Data;
using CivicDesk.Web.Features.Public;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Faq;

/// <summary>
/// The public FAQ: published entries by topic, searchable. Search matches every word of the query (stems, any case)
/// against question, answer and topic, so "bins collected" finds "When are the bins collected?". FAQs run to
/// hundreds of entries, so they are filtered in memory on the same terms the duplicate detector uses.
/// </summary>
[AllowAnonymous]
[PublicOrganisation]
[EnableRateLimiting(PlatformFeature.PublicRateLimit)]
public sealed class FaqModel(CivicDeskDb db, PublicOrganisationResolver organisations) : PageModel
{
    public sealed record Entry(long Id, string Question, string Answer, string Topic, DateTime UpdatedAt);

    [BindProperty(SupportsGet = true)] public string? Q { get; set; }
    [BindProperty(SupportsGet = true)] public string? Topic { get; set; }

    public IReadOnlyList<string> Topics { get; private set; } = [];
    public IReadOnlyList<IGrouping<string, Entry>> Groups { get; private set; } = [];
    public int Total { get; private set; }
    public int Shown { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        var org = organisations.Current;
        var all = await db.FaqEntries.IgnoreQueryFilters().AsNoTracking()
            .Where(f => f.OrganisationId == org.Id && f.IsPublished)
            .Select(f => new Entry(f.Id, f.Question, f.Answer, f.Topic, f.UpdatedAt)).Take(5000).ToListAsync(ct);
        Total = all.Count;
        Topics = all.Select(e => e.Topic).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase).ToList();
        IEnumerable<Entry> shown = all;
        if (!string.IsNullOrWhiteSpace(Topic))
        {
            shown = shown.Where(e => string.Equals(e.Topic, Topic.Trim(), StringComparison.OrdinalIgnoreCase));
        }

        // One stemmed term per query word (Terms also yields word pairs, which would demand the words side by side).
        var terms = (Q?.Length > 200 ? Q[..200] : Q ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(w => TermStatistics.Terms(w).Take(1)).Distinct().ToList();
        if (terms.Count > 0)
        {
            shown = shown.Where(e =>
            {
                var words = TermStatistics.Terms(e.Question + " " + e.Answer + " " + e.Topic).ToHashSet(StringComparer.Ordinal);
                return terms.All(words.Contains);
            });
        }

        var list = shown.ToList();
        Shown = list.Count;
        Groups = list.OrderBy(e => e.Topic, StringComparer.OrdinalIgnoreCase).ThenBy(e => e.Question, StringComparer.OrdinalIgnoreCase)
            .GroupBy(e => e.Topic, StringComparer.OrdinalIgnoreCase).ToList();
    }
}
