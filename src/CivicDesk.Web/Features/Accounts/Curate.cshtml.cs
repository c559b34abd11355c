using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CivicDesk.Web.Features.Accounts;

/// <summary>A guest curator's one page: the account they may post on, until when, a box to write in, and their posts.</summary>
[Authorize(Policy = Policies.Curator)]
public sealed class CurateModel(GuestCurators curators) : PageModel
{
    public IReadOnlyList<CuratorGrantView> Grants { get; private set; } = [];
    public IReadOnlyList<CuratorPostView> Posts { get; private set; } = [];
    public IReadOnlyList<ErrorLink> Errors { get; private set; } = [];
    public string? Done { get; private set; }

    [BindProperty] public long GrantId { get; set; }
    [BindProperty] public string? Text { get; set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var result = await curators.PostAsync(GrantId, Text, ct);
        if (result.Succeeded)
        {
            Done = result.AwaitingReview ? "Sent for approval: it goes out once the account's owner approves it" : "Scheduled: it goes out now";
            Text = null;
            ModelState.Clear();
        }
        else
        {
            foreach (var error in result.Errors)
            {
                ModelState.AddModelError(error.Field.StartsWith("Targets", StringComparison.Ordinal) ? nameof(Text) : error.Field, error.Message);
            }

            Errors = ErrorLink.From(ModelState, nameof(Text));
        }

        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Grants = await curators.MyLiveGrantsAsync(ct);
        Posts = await curators.MyPostsAsync(ct);
        if (GrantId == 0 && Grants.Count > 0)
        {
            GrantId = Grants[0].Grant.Id;
        }
    }
}
