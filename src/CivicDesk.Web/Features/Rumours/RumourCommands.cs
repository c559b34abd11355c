using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Features.Inbox;
using CivicDesk.Web.Features.Outbound;
using CivicDesk.Web.Platform;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Rumours;

/// <summary>One person who shared a claim and can be answered: their channel, handle, and the conversation to reply in.</summary>
public sealed record SightingAuthor(long ChannelId, string Channel, ChannelKind Kind, string AuthorHandle, long ConversationId, string Reference, int Sightings,
    DateTime? RepliedAt)
{
    public string Key => $"{ChannelId}:{AuthorHandle}";
}

/// <summary>
/// Claims, sightings, verdicts and replies. Every change writes its audit event in the same SaveChanges. Replies to the
/// people who shared a claim go through the inbox's normal reply path (the outbound queue), spaced out, and a unique
/// (claim, channel, author) row makes a second reply to the same person impossible.
/// </summary>
public sealed class RumourCommands(
    CivicDeskDb db,
    AuditLog audit,
    IBroadcaster broadcaster,
    ConversationCommands conversations,
    IHttpContextAccessor http,
    IOptions<RumourOptions> options,
    TimeProvider clock,
    ILogger<RumourCommands> logger)
{
    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    private string Actor => http.HttpContext?.User.DisplayNameOf() ?? "system";

    public async Task<FormOutcome> CreateAsync(string? statementText, DateTime? firstSeen, string? notes, CancellationToken ct)
    {
        var errors = new List<ErrorLink>();
        var statement = Clean(statementText);
        if (statement.Length == 0)
        {
            errors.Add(new("statement", "Enter the claim as people are making it"));
        }
        else if (statement.Length > RumourClaim.MaxStatementLength)
        {
            errors.Add(new("statement", $"The claim must be {RumourClaim.MaxStatementLength} characters or fewer"));
        }

        var now = Now;
        if (firstSeen is { } seen && seen > now.AddMinutes(5))
        {
            errors.Add(new("first-seen", "When it was first seen must be in the past"));
        }

        var evidence = Clean(notes);
        if (evidence.Length > RumourClaim.MaxNotesLength)
        {
            errors.Add(new("notes", $"Evidence notes must be {RumourClaim.MaxNotesLength} characters or fewer"));
        }

        if (errors.Count > 0)
        {
            return FormOutcome.Fail(errors);
        }

        var claim = new RumourClaim
        {
            OrganisationId = db.CurrentOrganisationId!.Value, Statement = statement, FirstSeenAt = firstSeen ?? now, EvidenceNotes = evidence,
            CreatedAt = now, UpdatedAt = now, CreatedByName = Actor,
        };
        db.RumourClaims.Add(claim);
        await using var tx = await db.BeginWriteTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        audit.Record("rumour.claim-created", "RumourClaim", claim.Id, null, new { claim.Statement, FirstSeen = claim.FirstSeenAt });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return FormOutcome.Done(claim.Id);
    }

    public async Task<FormOutcome> ChangeStatusAsync(long claimId, RumourStatus? status, string? notes, CancellationToken ct)
    {
        var claim = await db.RumourClaims.SingleOrDefaultAsync(c => c.Id == claimId, ct);
        if (claim is null)
        {
            return FormOutcome.Fail("status", "This claim does not exist");
        }

        if (status is null)
        {
            return FormOutcome.Fail("status", "Select a status");
        }

        var evidence = Clean(notes);
        if (evidence.Length > RumourClaim.MaxNotesLength)
        {
            return FormOutcome.Fail("notes", $"Evidence notes must be {RumourClaim.MaxNotesLength} characters or fewer");
        }

        if (claim.Status == status && claim.EvidenceNotes == evidence)
        {
            return FormOutcome.Done(claim.Id);
        }

        var before = new { Status = claim.Status.ToString(), claim.EvidenceNotes };
        claim.Status = status.Value;
        claim.EvidenceNotes = evidence;
        claim.UpdatedAt = Now;
        audit.Record("rumour.status-changed", "RumourClaim", claim.Id, before, new { Status = claim.Status.ToString(), claim.EvidenceNotes });
        await db.SaveChangesAsync(ct);
        return FormOutcome.Done(claim.Id);
    }

    /// <summary>Attaches a message (by id, or the newest inbound message of a conversation reference) as a sighting.</summary>
    public async Task<FormOutcome> AttachAsync(long claimId, long? messageId, string? conversationReference, string? reason, CancellationToken ct)
    {
        var claim = await db.RumourClaims.AsNoTracking().SingleOrDefaultAsync(c => c.Id == claimId, ct);
        if (claim is null)
        {
            return FormOutcome.Fail("reference", "This claim does not exist");
        }

        var query = db.Messages.AsNoTracking().Where(m => m.Direction == MessageDirection.Inbound);
        if (messageId is { } mid)
        {
            query = query.Where(m => m.Id == mid);
        }
        else
        {
            var reference = References.Normalise((conversationReference ?? "").Trim());
            if (reference.Length == 0)
            {
                return FormOutcome.Fail("reference", "Enter the reference of the conversation, like CD-7K3F9Q");
            }

            var conversationId = await db.Conversations.Where(c => c.Reference == reference).Select(c => (long?)c.Id).SingleOrDefaultAsync(ct);
            if (conversationId is null)
            {
                return FormOutcome.Fail("reference", $"There is no conversation {reference}");
            }

            query = query.Where(m => m.ConversationId == conversationId);
        }

        var message = await query.OrderByDescending(m => m.CreatedAt).FirstOrDefaultAsync(ct);
        if (message is null)
        {
            return FormOutcome.Fail("reference", "That conversation has no message from a citizen");
        }

        var existing = await db.RumourSightings.SingleOrDefaultAsync(s => s.ClaimId == claimId && s.MessageId == message.Id, ct);
        var why = string.IsNullOrWhiteSpace(reason) ? $"attached by {Actor}" : Clean(reason);
        why = why.Length > 500 ? why[..500] : why;
        if (existing is { State: SightingState.Attached })
        {
            return FormOutcome.Fail("reference", "That message is already a sighting of this claim");
        }

        if (existing is not null)
        {
            existing.State = SightingState.Attached;
            existing.Reason = why;
            existing.AddedAt = Now;
            existing.AddedByName = Actor;
        }
        else
        {
            existing = new RumourSighting
            {
                OrganisationId = claim.OrganisationId, ClaimId = claimId, MessageId = message.Id, ConversationId = message.ConversationId,
                ChannelId = message.ChannelId, AuthorHandle = message.AuthorHandle, SeenAt = message.CreatedAt, Reason = why, AddedAt = Now, AddedByName = Actor,
            };
            db.RumourSightings.Add(existing);
        }

        audit.Record("rumour.sighting-attached", "RumourClaim", claimId, null, new { MessageId = message.Id, Reason = why });
        await db.SaveChangesAsync(ct);
        return FormOutcome.Done(existing.Id);
    }

    /// <summary>"Not this claim": kept as dismissed so the message is not suggested again.</summary>
    public async Task<FormOutcome> DismissAsync(long claimId, long messageId, CancellationToken ct)
    {
        var claim = await db.RumourClaims.AsNoTracking().SingleOrDefaultAsync(c => c.Id == claimId, ct);
        var message = await db.Messages.AsNoTracking().SingleOrDefaultAsync(m => m.Id == messageId && m.Direction == MessageDirection.Inbound, ct);
        if (claim is null || message is null)
        {
            return FormOutcome.Fail("suggestions", "That message or claim does not exist");
        }

        var existing = await db.RumourSightings.SingleOrDefaultAsync(s => s.ClaimId == claimId && s.MessageId == messageId, ct);
        if (existing is null)
        {
            db.RumourSightings.Add(new RumourSighting
            {
                OrganisationId = claim.OrganisationId, ClaimId = claimId, MessageId = messageId, ConversationId = message.ConversationId,
                ChannelId = message.ChannelId, AuthorHandle = message.AuthorHandle, SeenAt = message.CreatedAt, State = SightingState.Dismissed,
                Reason = $"dismissed by {Actor}", AddedAt = Now, AddedByName = Actor,
            });
        }
        else
        {
            existing.State = SightingState.Dismissed;
            existing.Reason = $"dismissed by {Actor}";
        }

        audit.Record("rumour.sighting-dismissed", "RumourClaim", claimId, null, new { MessageId = messageId });
        await db.SaveChangesAsync(ct);
        return FormOutcome.Done(claimId);
    }

    /// <summary>
    /// Publishes the verdict: the public "myths and facts" entry, and the rebuttal handed to the publishing service for
    /// the chosen channels. Publishing again (a corrected verdict) replaces the entry and records both versions.
    /// </summary>
    public async Task<FormOutcome> PublishVerdictAsync(long claimId, RumourStatus? verdict, string? factsText, string? rebuttalText, List<long> channelIds,
        string mythsUrl, CancellationToken ct)
    {
        var claim = await db.RumourClaims.SingleOrDefaultAsync(c => c.Id == claimId, ct);
        if (claim is null)
        {
            return FormOutcome.Fail("verdict", "This claim does not exist");
        }

        var errors = new List<ErrorLink>();
        if (verdict is null or RumourStatus.Investigating)
        {
            errors.Add(new("verdict", "Select the verdict: false, misleading, true or unverified"));
        }

        var facts = Clean(factsText);
        if (facts.Length == 0)
        {
            errors.Add(new("facts", "Enter the facts, as the public will read them"));
        }
        else if (facts.Length > RumourClaim.MaxFactsLength)
        {
            errors.Add(new("facts", $"The facts must be {RumourClaim.MaxFactsLength} characters or fewer"));
        }

        var rebuttal = Clean(rebuttalText);
        var kinds = BroadcastChannels.Kinds.ToList();
        var distinct = channelIds.Distinct().ToList();
        var channels = distinct.Count == 0 ? [] : await db.Channels.Where(c => distinct.Contains(c.Id) && c.IsActive && kinds.Contains(c.Kind)).ToListAsync(ct);
        if (channels.Count != distinct.Count)
        {
            errors.Add(new("channels", "Choose only the organisation's own social accounts"));
        }
        else if (channels.Count > 0)
        {
            if (rebuttal.Length == 0)
            {
                errors.Add(new("rebuttal", "Enter the rebuttal post, or choose no channels"));
            }
            else
            {
                // Each network's own length rules, with the myths-and-facts link as it goes out.
                foreach (var problem in await broadcaster.CheckAsync(new BroadcastCheck(rebuttal, $"{mythsUrl}#claim-{claim.Id}", [.. channels.Select(c => c.Id)], []), ct))
                {
                    errors.Add(new(problem.Part == BroadcastPart.Channels ? "channels" : "rebuttal", problem.Message));
                }
            }
        }

        if (errors.Count > 0)
        {
            return FormOutcome.Fail(errors);
        }

        var now = Now;
        var before = claim.VerdictPublishedAt is null ? null : new { Verdict = claim.VerdictStatus.ToString(), claim.Facts };
        claim.Status = verdict!.Value;
        claim.VerdictStatus = verdict;
        claim.Facts = facts;
        claim.VerdictPublishedAt = now;
        claim.VerdictPublishedByName = Actor;
        claim.RebuttalText = rebuttal.Length == 0 ? null : rebuttal;
        claim.RebuttalChannelIds = ChannelIdList.Format(channels.Select(c => c.Id));
        claim.UpdatedAt = now;
        audit.Record("rumour.verdict-published", "RumourClaim", claim.Id, before, new
        {
            Verdict = verdict.ToString(), Facts = facts, Rebuttal = claim.RebuttalText, Channels = claim.RebuttalChannelIds,
        });
        await db.SaveChangesAsync(ct);

        if (channels.Count > 0)
        {
            string? reference = null;
            try
            {
                reference = await broadcaster.SubmitAsync(new BroadcastRequest(claim.OrganisationId, "rumour-rebuttal", claim.Id, rebuttal,
                    $"{mythsUrl}#claim-{claim.Id}", channels.Select(c => c.Id).ToList(), []), ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Rebuttal for claim {ClaimId} could not be handed to the publishing service", claim.Id);
            }

            claim.RebuttalReference = reference;
            audit.Record("rumour.rebuttal-sent", "RumourClaim", claim.Id, null,
                reference is null ? $"not queued for channels {claim.RebuttalChannelIds}" : $"queued as {reference} for channels {claim.RebuttalChannelIds}");
            await db.SaveChangesAsync(ct);
        }

        return FormOutcome.Done(claim.Id);
    }

    /// <summary>The people who shared the claim (attached sightings), one line per person, with whether they were answered.</summary>
    public async Task<IReadOnlyList<SightingAuthor>> AuthorsAsync(long claimId, CancellationToken ct)
    {
        var sightings = await db.RumourSightings.AsNoTracking()
            .Where(s => s.ClaimId == claimId && s.State == SightingState.Attached)
            .Join(db.Channels, s => s.ChannelId, c => c.Id, (s, c) => new { s.ChannelId, Channel = c.Name, c.Kind, s.AuthorHandle, s.ConversationId, s.SeenAt })
            .Join(db.Conversations, x => x.ConversationId, c => c.Id, (x, c) => new { x.ChannelId, x.Channel, x.Kind, x.AuthorHandle, x.ConversationId, x.SeenAt, c.Reference })
            .ToListAsync(ct);
        var replies = await db.RumourReplies.AsNoTracking().Where(r => r.ClaimId == claimId)
            .Select(r => new { r.ChannelId, r.AuthorHandle, r.QueuedAt }).ToListAsync(ct);
        return sightings.GroupBy(s => (s.ChannelId, s.AuthorHandle))
            .Select(g =>
            {
                var latest = g.MaxBy(s => s.SeenAt)!;
                var replied = replies.FirstOrDefault(r => r.ChannelId == g.Key.ChannelId && r.AuthorHandle == g.Key.AuthorHandle)?.QueuedAt;
                return new SightingAuthor(g.Key.ChannelId, latest.Channel, latest.Kind, g.Key.AuthorHandle, latest.ConversationId, latest.Reference, g.Count(), replied);
            })
            .OrderBy(a => a.Channel).ThenBy(a => a.AuthorHandle, StringComparer.OrdinalIgnoreCase).ToList();
    }

    public sealed record ReplyOutcome(int Queued, IReadOnlyList<string> Skipped, IReadOnlyList<ErrorLink> Errors);

    /// <summary>
    /// Replies once to each confirmed person (keys "channelId:handle") on their own channel, spaced by
    /// <see cref="RumourOptions.ReplySpacing"/> after any replies already queued for this claim.
    /// </summary>
    public async Task<ReplyOutcome> ReplyToAuthorsAsync(long claimId, IReadOnlyCollection<string> confirmedKeys, string? replyText, CancellationToken ct)
    {
        var claim = await db.RumourClaims.AsNoTracking().SingleOrDefaultAsync(c => c.Id == claimId, ct);
        if (claim is null)
        {
            return new(0, [], [new("reply-text", "This claim does not exist")]);
        }

        if (claim.VerdictPublishedAt is null)
        {
            return new(0, [], [new("reply-text", "Publish a verdict before replying to the people who shared the claim")]);
        }

        var text = Clean(replyText);
        if (text.Length == 0)
        {
            return new(0, [], [new("reply-text", "Enter the reply")]);
        }

        if (confirmedKeys.Count == 0)
        {
            return new(0, [], [new("authors", "Select the people to reply to")]);
        }

        var o = options.Value;
        if (confirmedKeys.Count > o.MaxRepliesPerBatch)
        {
            return new(0, [], [new("authors", $"Select {o.MaxRepliesPerBatch} people or fewer at a time")]);
        }

        var authors = (await AuthorsAsync(claimId, ct)).ToDictionary(a => a.Key);
        var now = Now;
        var lastQueued = await db.RumourReplies.Where(r => r.ClaimId == claimId).MaxAsync(r => (DateTime?)r.SendAt, ct);
        var next = lastQueued is { } last && last + o.ReplySpacing > now ? last + o.ReplySpacing : now;
        var queued = 0;
        var skipped = new List<string>();
        foreach (var key in confirmedKeys.Distinct())
        {
            if (!authors.TryGetValue(key, out var author))
            {
                skipped.Add($"{key}: not someone who shared this claim");
                continue;
            }

            if (author.RepliedAt is not null)
            {
                skipped.Add($"{author.AuthorHandle} on {author.Channel}: already answered");
                continue;
            }

            if (text.Length > ReplyLimits.MaxLength(author.Kind))
            {
                skipped.Add($"{author.AuthorHandle} on {author.Channel}: the reply is longer than {ReplyLimits.MaxLength(author.Kind)} characters");
                continue;
            }

            // The marker row first: its unique index is what guarantees "never twice", even against a double click.
            var marker = new RumourReply
            {
                OrganisationId = claim.OrganisationId, ClaimId = claimId, ChannelId = author.ChannelId, AuthorHandle = author.AuthorHandle,
                ConversationId = author.ConversationId, SendAt = next, QueuedAt = now, QueuedByName = Actor,
            };
            db.RumourReplies.Add(marker);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                db.Entry(marker).State = EntityState.Detached;
                skipped.Add($"{author.AuthorHandle} on {author.Channel}: already answered");
                continue;
            }

            var result = await conversations.ReplyAsync(author.ConversationId, text, next, ct);
            if (result.Outcome != CommandOutcome.Done)
            {
                db.RumourReplies.Remove(marker);
                await db.SaveChangesAsync(ct);
                skipped.Add($"{author.AuthorHandle} on {author.Channel}: {result.Error ?? result.Outcome.ToString()}");
                continue;
            }

            queued++;
            next += o.ReplySpacing;
        }

        audit.Record("rumour.authors-answered", "RumourClaim", claimId, null, new { Queued = queued, Skipped = skipped.Count, Spacing = o.ReplySpacing.ToString() });
        await db.SaveChangesAsync(ct);
        return new(queued, skipped, []);
    }

    private static string Clean(string? text) =>
        (text ?? "").Replace("\r\n", "\n", StringComparison.Ordinal).Trim().Normalize(System.Text.NormalizationForm.FormC);
}
