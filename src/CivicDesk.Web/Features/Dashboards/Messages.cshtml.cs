using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Sla;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Dashboards;

/// <summary>The messages behind an emerging-issue alert: one day, one category, place, listening search or hashtag, in the viewer's scope.</summary>
[Authorize(Policy = Policies.Staff)]
public sealed class MessagesModel(CivicDeskDb db, ConversationAccess access, SlaClock sla) : PageModel
{
    public const int Limit = 200;

    [BindProperty(SupportsGet = true)] public string Dimension { get; set; } = "";
    [BindProperty(SupportsGet = true)] public string Value { get; set; } = "";
    [BindProperty(SupportsGet = true)] public DateOnly Day { get; set; }
    [BindProperty(SupportsGet = true)] public long? Team { get; set; }

    public sealed record Row(long ConversationId, string Reference, DateTime CreatedAt, string Author, string Text, string? Category, string? Sentiment);

    public IReadOnlyList<Row> Rows { get; private set; } = [];
    public int Total { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (Dimension is not ("Category" or "Place" or "Listening search" or "Hashtag") || string.IsNullOrWhiteSpace(Value) || Day == default)
        {
            return NotFound();
        }

        var scope = DashboardScopes.For(await access.ViewerAsync(ct)).Narrow(Team);
        var teamIds = scope.TeamIds?.ToList();
        var (start, end) = AggregateTime.DayRange(Day, (await sla.CalendarAsync(ct)).Zone);
        var query = from m in db.Messages.AsNoTracking()
                    join c in db.Conversations.AsNoTracking() on m.ConversationId equals c.Id
                    where m.Direction == MessageDirection.Inbound && m.CreatedAt >= start && m.CreatedAt < end
                          && (teamIds == null || (c.AssignedTeamId != null && teamIds.Contains(c.AssignedTeamId.Value)))
                    select new { m, c.Reference };
        query = Dimension switch
        {
            "Category" => query.Where(x => x.m.Category == Value && x.m.MatchedSearch == null),
            "Place" => query.Where(x => x.m.Place == Value),
            "Listening search" => query.Where(x => x.m.MatchedSearch == Value),
            // SQL narrows by the tag's letters (lower() so #Flooding matches); the tag rule itself runs here, so
            // "#floodingrelief" is not counted under #flooding, exactly as the aggregate counted it.
#pragma warning disable CA1862 // translated to SQL lower(...) on both providers; a StringComparison overload is not
            _ => query.Where(x => x.m.Text.ToLower().Contains(Value.TrimStart('#').ToLower())),
#pragma warning restore CA1862
        };
        if (Dimension == "Hashtag")
        {
            var tag = Value.TrimStart('#').ToLowerInvariant();
            var candidates = await query.OrderByDescending(x => x.m.CreatedAt)
                .Select(x => new Row(x.m.ConversationId, x.Reference, x.m.CreatedAt, x.m.AuthorHandle, x.m.Text, x.m.Category, x.m.Sentiment))
                .ToListAsync(ct);
            var tagged = candidates.Where(r => Hashtags.Extract(r.Text).Contains(tag, StringComparer.Ordinal)).ToList();
            Total = tagged.Count;
            Rows = tagged.Take(Limit).ToList();
            return Page();
        }

        Total = await query.CountAsync(ct);
        Rows = await query.OrderByDescending(x => x.m.CreatedAt).Take(Limit)
            .Select(x => new Row(x.m.ConversationId, x.Reference, x.m.CreatedAt, x.m.AuthorHandle, x.m.Text, x.m.Category, x.m.Sentiment))
            .ToListAsync(ct);
        return Page();
    }
}
