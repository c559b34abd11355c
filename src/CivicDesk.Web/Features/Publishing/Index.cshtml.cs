using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Publishing;

/// <summary>Recent publications with each channel's delivery state; failures first, each with "retry".</summary>
[Authorize(Policy = Policies.Newsroom)]
public sealed class IndexModel(CivicDeskDb db, PublicationService publications) : PageModel
{
    public sealed record Item(long Id, string Text, PublicationStatus Status, DateTime CreatedAt, string CreatedByName, DateTime? DueAt, IReadOnlyList<DeliveryView> Deliveries);

    [BindProperty(SupportsGet = true)] public bool Failed { get; set; }
    public IReadOnlyList<Item> Items { get; private set; } = [];
    [TempData] public string? Notice { get; set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        var deliveries = await publications.DeliveriesAsync(null, Failed, ct);
        var ids = deliveries.Select(d => d.PublicationId).Distinct().ToList();
        var rows = await db.Publications.AsNoTracking().Where(p => ids.Contains(p.Id)).OrderByDescending(p => p.CreatedAt).Take(100)
            .Select(p => new { p.Id, p.Text, p.Status, p.CreatedAt, p.CreatedByName, p.DueAt }).ToListAsync(ct);
        Items = rows.Select(p => new Item(p.Id, p.Text, p.Status, p.CreatedAt, p.CreatedByName, p.DueAt, deliveries.Where(d => d.PublicationId == p.Id).ToList())).ToList();
    }

    public async Task<IActionResult> OnPostRetryAsync(long deliveryId, CancellationToken ct)
    {
        Notice = await publications.RetryAsync(deliveryId, ct) ? "It will be tried again now" : "Only a failed delivery can be retried";
        return Redirect("/publishing" + (Failed ? "?failed=true" : ""));
    }
}
