using System.ComponentModel.DataAnnotations;
using System.Globalization;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Features.Publishing;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Accounts;

/// <summary>What the owner fills in to let an outside person post on one account for a while.</summary>
public sealed class CuratorGrantInput
{
    [Required(ErrorMessage = "Enter the curator's name"), StringLength(200, ErrorMessage = "The name must be 200 characters or fewer")]
    public string? Name { get; set; }

    [Required(ErrorMessage = "Enter the curator's email address"), EmailAddress(ErrorMessage = "Enter an email address like name@example.org"), StringLength(254)]
    public string? Email { get; set; }

    [StringLength(200, ErrorMessage = "The organisation must be 200 characters or fewer")]
    public string? Affiliation { get; set; }

    [Required(ErrorMessage = "Choose the account the curator may post on")]
    public long? ChannelId { get; set; }

    [Required(ErrorMessage = "Enter when the access starts")]
    public DateTime? StartsAt { get; set; }

    [Required(ErrorMessage = "Enter when the access ends")]
    public DateTime? EndsAt { get; set; }

    /// <summary>True (the default): every post waits for the owner's approval in the review queue.</summary>
    public bool ReviewRequired { get; set; } = true;

    [StringLength(CuratorGrant.MaxNoteLength, ErrorMessage = "The note must be 500 characters or fewer")]
    public string? Note { get; set; }
}

/// <summary>The grant, and for a curator new to CivicDesk the one-time password to pass on to them.</summary>
public sealed record CuratorGrantResult(CuratorGrant? Grant, string? NewPassword, IReadOnlyList<(string Field, string Error)> Errors)
{
    public bool Succeeded => Grant is not null;
}

public sealed record CuratorGrantView(CuratorGrant Grant, string ChannelName, bool IsLive, bool IsEnded);

/// <summary>A curator's own post, as the curator page lists it.</summary>
public sealed record CuratorPostView(long PublicationId, string Text, DateTime CreatedAt, string Status);

/// <summary>
/// Guest curators: a named outside person gets time-boxed access to post on one connected account. The grant makes (or
/// reuses) a sign-in with only the <see cref="Roles.Curator"/> role; <c>StaffSession</c> refuses that sign-in on every
/// request outside a live grant, and <see cref="PostAsync"/> checks the grant again, so access ends at the end time
/// without waiting for any job. Posts go through <see cref="PublicationService"/>: into the review queue for the
/// owner who granted access (the curator's mentor) unless the owner chose otherwise. Everything is audited.
/// </summary>
public sealed class GuestCurators(
    CivicDeskDb db,
    UserManager<StaffMember> users,
    RoleManager<IdentityRole> roles,
    PublicationService publishing,
    AuditLog audit,
    IHttpContextAccessor http,
    TimeProvider clock)
{
    /// <summary>A grant lasts at most this long: a standing need is a member of staff, not a guest.</summary>
    public const int MaxDays = 92;

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>True when the curator has a live grant now (checked on every request by <c>StaffSession</c>).</summary>
    public static Task<bool> HasLiveGrantAsync(CivicDeskDb db, string curatorId, DateTime now, CancellationToken ct) =>
        // The organisation filter is not set yet while the cookie is validated; the curator's id is specific enough.
        db.CuratorGrants.IgnoreQueryFilters().AnyAsync(g => g.CuratorId == curatorId && g.RevokedAt == null && g.StartsAt <= now && g.EndsAt > now, ct);

    public async Task<IReadOnlyList<CuratorGrantView>> ListAsync(CancellationToken ct)
    {
        var now = Now;
        var channels = await db.Channels.AsNoTracking().ToDictionaryAsync(c => c.Id, c => c.Name, ct);
        var grants = await db.CuratorGrants.AsNoTracking().OrderByDescending(g => g.EndsAt).Take(200).ToListAsync(ct);
        return grants.Select(g => new CuratorGrantView(g, channels.GetValueOrDefault(g.ChannelId, "(removed)"), g.IsLive(now), g.RevokedAt is not null || g.EndsAt <= now)).ToList();
    }

    public async Task<IReadOnlyList<CuratorGrantView>> MyLiveGrantsAsync(CancellationToken ct)
    {
        var me = http.HttpContext?.User.StaffId();
        var now = Now;
        var channels = await db.Channels.AsNoTracking().ToDictionaryAsync(c => c.Id, c => c.Name, ct);
        var grants = await db.CuratorGrants.AsNoTracking().Where(g => g.CuratorId == me && g.RevokedAt == null && g.StartsAt <= now && g.EndsAt > now)
            .OrderBy(g => g.EndsAt).ToListAsync(ct);
        return grants.Select(g => new CuratorGrantView(g, channels.GetValueOrDefault(g.ChannelId, "(removed)"), true, false)).ToList();
    }

    public async Task<IReadOnlyList<CuratorPostView>> MyPostsAsync(CancellationToken ct)
    {
        var me = http.HttpContext?.User.StaffId();
        var rows = await db.Publications.AsNoTracking().Where(p => p.CreatedById == me && p.Source != null && p.Source.StartsWith("curator:"))
            .OrderByDescending(p => p.CreatedAt).Take(50).Select(p => new { p.Id, p.Text, p.CreatedAt, p.Status }).ToListAsync(ct);
        var ids = rows.Select(r => r.Id.ToString(CultureInfo.InvariantCulture)).ToList();
        var reviews = await db.ReviewItems.AsNoTracking().Where(r => r.Kind == PublicationService.ReviewKind && ids.Contains(r.SubjectId))
            .Select(r => new { r.SubjectId, r.Status, r.CoachingNote }).ToListAsync(ct);
        return rows.Select(r =>
        {
            var review = reviews.FirstOrDefault(x => x.SubjectId == r.Id.ToString(CultureInfo.InvariantCulture));
            var status = review?.Status switch
            {
                ReviewStatus.Waiting => "Waiting for approval",
                ReviewStatus.Returned => "Returned: " + review.CoachingNote,
                _ => r.Status == PublicationStatus.AwaitingReview ? "Waiting for approval" : r.Status.ToString(),
            };
            return new CuratorPostView(r.Id, r.Text, r.CreatedAt, status);
        }).ToList();
    }

    public async Task<CuratorGrantResult> GrantAsync(CuratorGrantInput input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var errors = new List<(string, string)>();
        var now = Now;
        var user = http.HttpContext?.User ?? throw new InvalidOperationException("No signed-in user.");
        var channels = await publishing.ChannelsAsync(ct);
        if (input.ChannelId is not { } channelId || channels.All(c => c.ChannelId != channelId))
        {
            errors.Add((nameof(input.ChannelId), "Choose an account connected for publishing"));
        }

        if (input.StartsAt is { } starts && input.EndsAt is { } ends)
        {
            starts = Utc(starts);
            ends = Utc(ends);
            if (ends <= starts)
            {
                errors.Add((nameof(input.EndsAt), "The end must be after the start"));
            }
            else if (ends <= now)
            {
                errors.Add((nameof(input.EndsAt), "The end must be in the future"));
            }
            else if ((ends - starts).TotalDays > MaxDays)
            {
                errors.Add((nameof(input.EndsAt), $"Access can last at most {MaxDays} days; grant it again later if needed"));
            }
        }
        else
        {
            errors.Add((nameof(input.EndsAt), "Enter when the access starts and ends"));
        }

        var email = input.Email?.Trim() ?? "";
        var existing = email.Length == 0 ? null : await users.FindByEmailAsync(email);
        if (existing is not null && (existing.OrganisationId != db.CurrentOrganisationId || !await users.IsInRoleAsync(existing, Roles.Curator)
            || (await users.GetRolesAsync(existing)).Count > 1))
        {
            // Never turn a member of staff (or someone else's curator) into a guest, nor widen their access.
            errors.Add((nameof(input.Email), "That email address belongs to a member of staff or another organisation: use a different address"));
        }

        if (errors.Count > 0 || string.IsNullOrWhiteSpace(input.Name))
        {
            if (string.IsNullOrWhiteSpace(input.Name))
            {
                errors.Add((nameof(input.Name), "Enter the curator's name"));
            }

            return new CuratorGrantResult(null, null, errors);
        }

        var grantedById = user.StaffId() ?? throw new InvalidOperationException("The user has no staff id.");
        string? password = null;
        await using var tx = await db.BeginWriteTransactionAsync(ct);
        var curator = existing;
        if (curator is null)
        {
            if (!await roles.RoleExistsAsync(Roles.Curator))
            {
                await roles.CreateAsync(new IdentityRole(Roles.Curator));
            }

            password = Passwords.Generate();
            curator = new StaffMember
            {
                UserName = email, Email = email, EmailConfirmed = true, DisplayName = $"{input.Name!.Trim()} (guest curator)",
                OrganisationId = db.CurrentOrganisationId ?? throw new InvalidOperationException("No organisation."), CreatedAt = now,
            };
            var created = await users.CreateAsync(curator, password);
            if (!created.Succeeded)
            {
                return new CuratorGrantResult(null, null, [(nameof(input.Email), string.Join("; ", created.Errors.Select(e => e.Description)))]);
            }

            await users.AddToRoleAsync(curator, Roles.Curator);
        }

        // The owner who grants access reviews the curator's posts (the review queue's "mentor").
        curator.MentorId = grantedById;
        curator.IsActive = true;
        await users.UpdateAsync(curator);
        var grant = new CuratorGrant
        {
            OrganisationId = curator.OrganisationId, CuratorId = curator.Id, CuratorName = input.Name!.Trim(), Affiliation = Blank(input.Affiliation),
            ChannelId = input.ChannelId!.Value, StartsAt = Utc(input.StartsAt!.Value), EndsAt = Utc(input.EndsAt!.Value),
            ReviewRequired = input.ReviewRequired, Note = Blank(input.Note), GrantedById = grantedById, GrantedByName = user.DisplayNameOf(), CreatedAt = now,
        };
        db.CuratorGrants.Add(grant);
        await db.SaveChangesAsync(ct);
        audit.Record("curator.granted", nameof(CuratorGrant), grant.Id, null, new
        {
            curator = grant.CuratorName, grant.Affiliation, channel = grant.ChannelId, grant.StartsAt, grant.EndsAt, grant.ReviewRequired, newAccount = password is not null,
        });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new CuratorGrantResult(grant, password, []);
    }

    /// <summary>Ends a grant now; the curator's next request is refused.</summary>
    public async Task<bool> RevokeAsync(long id, CancellationToken ct)
    {
        var grant = await db.CuratorGrants.SingleOrDefaultAsync(g => g.Id == id, ct);
        if (grant is null || grant.RevokedAt is not null)
        {
            return false;
        }

        grant.RevokedAt = Now;
        grant.RevokedByName = http.HttpContext?.User.DisplayNameOf();
        audit.Record("curator.revoked", nameof(CuratorGrant), grant.Id, new { grant.EndsAt }, new { grant.RevokedAt });
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>The curator posts on the grant's account: to review, or straight out when the owner chose so.</summary>
    public async Task<PublicationResult> PostAsync(long grantId, string? text, CancellationToken ct)
    {
        var me = http.HttpContext?.User.StaffId();
        var now = Now;
        var grant = await db.CuratorGrants.AsNoTracking().SingleOrDefaultAsync(g => g.Id == grantId && g.CuratorId == me, ct);
        if (grant is null || !grant.IsLive(now))
        {
            audit.Record("curator.post-refused", nameof(CuratorGrant), grantId, null, grant is null ? "no such grant" : "access not live");
            await db.SaveChangesAsync(ct);
            return new PublicationResult(null, [new("Text", grant is null ? "You do not have access to that account" : "Your access to this account has ended")]);
        }

        return await publishing.CreateAsync(new PublicationRequest(text ?? "", [new PublicationTarget(grant.ChannelId)],
            Source: $"curator:{grant.Id}", ForceReview: grant.ReviewRequired), ct);
    }

    /// <summary>The form's times are UTC (it says so); a time with an offset is converted.</summary>
    private static DateTime Utc(DateTime d) => d.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(d, DateTimeKind.Utc) : d.ToUniversalTime();

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

}
