using System.ComponentModel.DataAnnotations;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Accounts;

/// <summary>
/// The account register: every social account the organisation runs, who owns it, why, its status and reviews, with
/// dormancy and review reminders at the top. Comms and admins keep it.
/// </summary>
[Authorize(Policy = Policies.Staff, Roles = Roles.Comms + "," + Roles.Admin)]
public sealed class IndexModel(CivicDeskDb db, AccountRegister register, AuditLog audit, TimeProvider clock) : PageModel
{
    public static readonly IReadOnlyList<string> Networks = ["Bluesky", "Mastodon", "X", "Facebook", "Instagram", "YouTube", "TikTok", "LinkedIn", "Nextdoor", "WhatsApp", "Other"];

    public IReadOnlyList<AccountView> Accounts { get; private set; } = [];
    public IReadOnlyList<Team> Teams { get; private set; } = [];
    public IReadOnlyList<Channel> Channels { get; private set; } = [];
    public IReadOnlyList<ErrorLink> Errors { get; private set; } = [];
    public string? Done { get; private set; }

    [BindProperty] public AccountInput Input { get; set; } = new();
    [BindProperty] public ReviewInput Review { get; set; } = new();

    public sealed class AccountInput
    {
        public long? Id { get; set; }
        [Required(ErrorMessage = "Select the network")] public string? Network { get; set; }
        [Required(ErrorMessage = "Enter the account's handle")][StringLength(200)] public string? Handle { get; set; }
        [StringLength(500)][Url(ErrorMessage = "Enter the address of the account, like https://mastodon.social/@council")] public string? Url { get; set; }
        [Required(ErrorMessage = "Enter who owns the account")][StringLength(500)] public string? Owners { get; set; }
        [StringLength(200)] public string? Deputy { get; set; }
        public long? TeamId { get; set; }
        [Required(ErrorMessage = "Enter what the account is for")][StringLength(1000)] public string? Purpose { get; set; }
        [StringLength(500)] public string? Audience { get; set; }
        public SocialAccountStatus Status { get; set; } = SocialAccountStatus.Proposed;
        public DateOnly? TrialEndsOn { get; set; }
        public DateOnly? NextReviewOn { get; set; }
        [StringLength(200)] public string? CredentialHolder { get; set; }
        public bool TwoFactorOn { get; set; }
        public long? ChannelId { get; set; }
        [Range(1, 3650, ErrorMessage = "Enter a number of days between 1 and 3650")] public int? DormancyDays { get; set; }
        public bool ListPublicly { get; set; } = true;
    }

    public sealed class ReviewInput
    {
        public long AccountId { get; set; }
        [Required(ErrorMessage = "Select the outcome of the review")] public string? Outcome { get; set; }
        [StringLength(2000)] public string? Notes { get; set; }
        public DateOnly? NextReviewOn { get; set; }
    }

    public async Task OnGetAsync(long? id, CancellationToken ct)
    {
        if (id is { } editing && await db.SocialAccounts.AsNoTracking().FirstOrDefaultAsync(a => a.Id == editing, ct) is { } a)
        {
            Input = new AccountInput
            {
                Id = a.Id, Network = a.Network, Handle = a.Handle, Url = a.Url, Owners = a.Owners, Deputy = a.Deputy, TeamId = a.TeamId, Purpose = a.Purpose,
                Audience = a.Audience, Status = a.Status, TrialEndsOn = a.TrialEndsOn, NextReviewOn = a.NextReviewOn, CredentialHolder = a.CredentialHolder,
                TwoFactorOn = a.TwoFactorOn, ChannelId = a.ChannelId, DormancyDays = a.DormancyDays, ListPublicly = a.ListPublicly,
            };
        }

        await LoadAsync(ct);
    }

    public async Task<IActionResult> OnPostSaveAsync(CancellationToken ct)
    {
        // Both forms bind on every post; a form's fields that were not posted bind without their prefix, so keep only
        // this form's own entries.
        foreach (var key in ModelState.Keys.Where(k => !k.StartsWith("Input.", StringComparison.Ordinal)).ToList())
        {
            ModelState.Remove(key);
        }
        if (Input.Network is { } n && !Networks.Contains(n))
        {
            ModelState.AddModelError("Input.Network", "Select the network");
        }

        if (Input.Status == SocialAccountStatus.Trial && Input.TrialEndsOn is null)
        {
            ModelState.AddModelError("Input.TrialEndsOn", "Enter when the trial ends");
        }

        if (Input.TeamId is { } team && !await db.Teams.AnyAsync(t => t.Id == team, ct))
        {
            ModelState.AddModelError("Input.TeamId", "Select a team");
        }

        if (Input.ChannelId is { } channel && !await db.Channels.AnyAsync(c => c.Id == channel, ct))
        {
            ModelState.AddModelError("Input.ChannelId", "Select a connected channel");
        }

        var handle = Input.Handle?.Trim() ?? "";
        if (ModelState.IsValid && await db.SocialAccounts.AnyAsync(a => a.Network == Input.Network && a.Handle == handle && a.Id != (Input.Id ?? 0), ct))
        {
            ModelState.AddModelError("Input.Handle", "This account is already in the register");
        }

        if (!ModelState.IsValid)
        {
            Errors = ErrorLink.From(ModelState, "Input_Handle");
            await LoadAsync(ct);
            return Page();
        }

        var now = clock.GetUtcNow().UtcDateTime;
        SocialAccount account;
        object? before = null;
        if (Input.Id is { } id)
        {
            if (await db.SocialAccounts.FirstOrDefaultAsync(a => a.Id == id, ct) is not { } existing)
            {
                return NotFound();
            }

            before = Describe(existing);
            account = existing;
        }
        else
        {
            account = new SocialAccount { OrganisationId = User.OrganisationId() ?? 0, Network = Input.Network!, Handle = handle, CreatedAt = now };
            db.SocialAccounts.Add(account);
        }

        (account.Network, account.Handle, account.Url, account.Owners, account.Deputy, account.TeamId, account.Purpose, account.Audience) =
            (Input.Network!, handle, Blank(Input.Url), Input.Owners!.Trim(), Blank(Input.Deputy), Input.TeamId, Input.Purpose!.Trim(), Input.Audience?.Trim() ?? "");
        (account.Status, account.TrialEndsOn, account.NextReviewOn, account.CredentialHolder, account.TwoFactorOn, account.ChannelId, account.DormancyDays, account.ListPublicly) =
            (Input.Status, Input.TrialEndsOn, Input.NextReviewOn, Blank(Input.CredentialHolder), Input.TwoFactorOn, Input.ChannelId, Input.DormancyDays, Input.ListPublicly);
        account.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        audit.Record(before is null ? "social-account.added" : "social-account.changed", nameof(SocialAccount), account.Id, before, Describe(account));
        await db.SaveChangesAsync(ct);
        Done = $"{account.Network} account {account.Handle} saved";
        Input = new AccountInput();
        ModelState.Clear();
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostReviewAsync(CancellationToken ct)
    {
        foreach (var key in ModelState.Keys.Where(k => !k.StartsWith("Review.", StringComparison.Ordinal)).ToList())
        {
            ModelState.Remove(key);
        }

        if (await db.SocialAccounts.FirstOrDefaultAsync(a => a.Id == Review.AccountId, ct) is not { } account)
        {
            return NotFound();
        }

        if (!ModelState.IsValid)
        {
            Errors = ErrorLink.From(ModelState, "Review_Outcome");
            await LoadAsync(ct);
            return Page();
        }

        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        db.SocialAccountReviews.Add(new SocialAccountReview
        {
            OrganisationId = account.OrganisationId, SocialAccountId = account.Id, ReviewedOn = today, Outcome = Review.Outcome!,
            Notes = Blank(Review.Notes), ReviewedBy = User.DisplayNameOf(),
        });
        var before = Describe(account);
        account.NextReviewOn = Review.NextReviewOn;
        account.Status = Review.Outcome switch
        {
            "Continue" => SocialAccountStatus.Active,
            "Close" => SocialAccountStatus.Closed,
            _ => account.Status,
        };
        if (Review.Outcome == "Extend trial" && Review.NextReviewOn is { } extended)
        {
            account.TrialEndsOn = extended;
        }

        account.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        audit.Record("social-account.reviewed", nameof(SocialAccount), account.Id, before, new { outcome = Review.Outcome, Review.Notes, next = Review.NextReviewOn });
        await db.SaveChangesAsync(ct);
        Done = $"Review of {account.Handle} recorded: {Review.Outcome}";
        ModelState.Clear();
        await LoadAsync(ct);
        return Page();
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private static object Describe(SocialAccount a) => new
    {
        a.Network, a.Handle, a.Url, a.Owners, a.Deputy, a.TeamId, a.Purpose, a.Audience, status = a.Status.ToString(), a.TrialEndsOn, a.NextReviewOn,
        a.CredentialHolder, a.TwoFactorOn, a.ChannelId, a.DormancyDays, a.ListPublicly,
    };

    private async Task LoadAsync(CancellationToken ct)
    {
        Accounts = await register.ListAsync(ct);
        Teams = await db.Teams.AsNoTracking().OrderBy(t => t.Name).ToListAsync(ct);
        Channels = await db.Channels.AsNoTracking().Where(c => c.Kind != ChannelKind.WebForm && c.Kind != ChannelKind.Api).OrderBy(c => c.Name).ToListAsync(ct);
    }
}
