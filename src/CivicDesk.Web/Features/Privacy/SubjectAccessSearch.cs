using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Platform;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Privacy;

/// <summary>The identifiers of a request, normalised for matching.</summary>
public sealed record SubjectIdentifiers(
    IReadOnlyList<string> Emails,
    IReadOnlyList<(ChannelKind? Network, string Handle)> Handles,
    IReadOnlyList<string> Names,
    IReadOnlyList<string> References)
{
    public static IReadOnlyList<string> Lines(string? text) =>
        (text ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.OrdinalIgnoreCase).ToList();

    public static SubjectIdentifiers From(SubjectRequest r) => new(
        Lines(r.Emails).Select(e => e.ToLowerInvariant()).ToList(),
        Lines(r.Handles).Select(ParseHandle).ToList(),
        Lines(r.Names).Select(n => n.ToLowerInvariant()).ToList(),
        Lines(r.References).Select(Platform.References.Normalise).ToList());

    /// <summary>"mastodon: @ada@example.social" → (Mastodon, "@ada@example.social"); a bare handle matches on every network.</summary>
    public static (ChannelKind? Network, string Handle) ParseHandle(string line)
    {
        var colon = line.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && Enum.TryParse<ChannelKind>(line[..colon].Trim(), ignoreCase: true, out var kind))
        {
            return (kind, line[(colon + 1)..].Trim().ToLowerInvariant());
        }

        return (null, line.Trim().ToLowerInvariant());
    }

    public bool IsEmpty => Emails.Count == 0 && Handles.Count == 0 && Names.Count == 0 && References.Count == 0;
}

public sealed record FoundMessage(long Id, string Channel, string Direction, DateTime At, string Author, string Text, string? Sentiment, string? MatchedSearch, bool Deleted);

public sealed record FoundConversation(long Id, string Reference, string Channel, string Handle, string? Name, string? Email, string Subject, string Status,
    DateTime CreatedAt, IReadOnlyList<FoundMessage> Messages, IReadOnlyList<FoundNote> Notes);

public sealed record FoundNote(DateTime At, string Author, string Text);

public sealed record FoundCase(long Id, string Reference, string Title, string Description, string? Address, string Status, bool IsOpen, DateTime CreatedAt,
    FoundContact? Contact, IReadOnlyList<FoundUpdate> PublicUpdates, IReadOnlyList<string> Photos);

public sealed record FoundContact(string? Name, string? Email, string? Phone);

public sealed record FoundUpdate(DateTime At, string? Text, string? Status);

/// <summary>Everything found for one person, and only what is theirs (other reporters on the same case are left out).</summary>
public sealed record SubjectData(string RequestReference, DateTime GeneratedAt, IReadOnlyList<FoundConversation> Conversations, IReadOnlyList<FoundCase> Cases)
{
    public int MessageCount => Conversations.Sum(c => c.Messages.Count);
}

/// <summary>
/// Finds what the organisation holds about a person across every channel and case, builds the export (JSON for
/// machines, HTML for people, in one ZIP) and carries out erasure, keeping what must be kept with the reason.
/// </summary>
public sealed class SubjectAccessSearch(CivicDeskDb db, AuditLog audit, TimeProvider clock)
{
    private static readonly JsonSerializerOptions ExportJson = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public async Task<SubjectData> FindAsync(SubjectRequest request, CancellationToken ct)
    {
        var ids = SubjectIdentifiers.From(request);
        var conversationIds = await MatchingConversationsAsync(ids, ct);
        var channels = await db.Channels.AsNoTracking().ToDictionaryAsync(c => c.Id, c => $"{c.Kind} ({c.Name})", ct);

        var conversations = new List<FoundConversation>();
        foreach (var c in await db.Conversations.AsNoTracking().Where(c => conversationIds.Contains(c.Id)).OrderBy(c => c.CreatedAt).ToListAsync(ct))
        {
            // Their own messages and the organisation's replies to them; in a thread with several people, not the others'.
            var handle = c.CitizenHandle;
            var messages = await db.Messages.IgnoreQueryFilters().AsNoTracking()
                .Where(m => m.OrganisationId == request.OrganisationId && m.ConversationId == c.Id
                            && (m.Direction == MessageDirection.Outbound || m.AuthorHandle == handle))
                .OrderBy(m => m.CreatedAt).ThenBy(m => m.Id)
                .Select(m => new FoundMessage(m.Id, channels.GetValueOrDefault(m.ChannelId, "channel"), m.Direction.ToString(), m.CreatedAt,
                    m.Direction == MessageDirection.Outbound ? "the organisation" : m.AuthorHandle, m.Text, m.Sentiment, m.MatchedSearch, m.DeletedAt != null))
                .ToListAsync(ct);
            var notes = await db.InternalNotes.AsNoTracking().Where(n => n.ConversationId == c.Id).OrderBy(n => n.CreatedAt)
                .Select(n => new FoundNote(n.CreatedAt, n.AuthorName, n.Text)).ToListAsync(ct);
            conversations.Add(new FoundConversation(c.Id, c.Reference, channels.GetValueOrDefault(c.ChannelId, "channel"), c.CitizenHandle, c.CitizenName, c.CitizenEmail,
                c.Subject, c.Status.ToString(), c.CreatedAt, messages, notes));
        }

        var cases = await FindCasesAsync(ids, conversationIds, ct);
        return new SubjectData(request.Reference, clock.GetUtcNow().UtcDateTime, conversations, cases);
    }

    private async Task<List<long>> MatchingConversationsAsync(SubjectIdentifiers ids, CancellationToken ct)
    {
        var found = new HashSet<long>();
        if (ids.Emails.Count > 0)
        {
            var emails = ids.Emails.ToList();
            found.UnionWith(await db.Conversations.Where(c => c.CitizenEmail != null && emails.Contains(c.CitizenEmail.ToLower())).Select(c => c.Id).ToListAsync(ct));
        }

        // The comparisons below run in the database (EF translates ToLower to LOWER on both providers), where
        // string.Equals with a StringComparison cannot be translated: CA1862 does not apply.
#pragma warning disable CA1862
        foreach (var (network, handle) in ids.Handles)
        {
            var q = db.Conversations.Where(c => c.CitizenHandle.ToLower() == handle);
            if (network is { } kind)
            {
                q = q.Where(c => db.Channels.Any(ch => ch.Id == c.ChannelId && ch.Kind == kind));
            }

            found.UnionWith(await q.Select(c => c.Id).ToListAsync(ct));
        }
#pragma warning restore CA1862

        if (ids.Names.Count > 0)
        {
            var names = ids.Names.ToList();
            found.UnionWith(await db.Conversations.Where(c => c.CitizenName != null && names.Contains(c.CitizenName.ToLower())).Select(c => c.Id).ToListAsync(ct));
        }

        if (ids.References.Count > 0)
        {
            var refs = ids.References.ToList();
            found.UnionWith(await db.Conversations.Where(c => refs.Contains(c.Reference)).Select(c => c.Id).ToListAsync(ct));
        }

        return [.. found];
    }

    private async Task<List<FoundCase>> FindCasesAsync(SubjectIdentifiers ids, List<long> conversationIds, CancellationToken ct)
    {
        var emails = ids.Emails.ToList();
        var names = ids.Names.ToList();
        var refs = ids.References.ToList();
        // Their reporter rows: by their conversations, their email or name on a report, or a case reference they quoted.
        var reporters = await db.CaseReporters.AsNoTracking()
            .Where(r => (r.ConversationId != null && conversationIds.Contains(r.ConversationId.Value))
                        || (r.Email != null && emails.Contains(r.Email.ToLower()))
                        || (r.Name != null && names.Contains(r.Name.ToLower())))
            .ToListAsync(ct);
        var caseIds = reporters.Select(r => r.CaseId).ToHashSet();
        caseIds.UnionWith(await db.Cases.Where(c => refs.Contains(c.Reference)).Select(c => c.Id).ToListAsync(ct));

        var result = new List<FoundCase>();
        foreach (var c in await db.Cases.AsNoTracking().Where(c => caseIds.Contains(c.Id)).OrderBy(c => c.CreatedAt).ToListAsync(ct))
        {
            var mine = reporters.FirstOrDefault(r => r.CaseId == c.Id && (r.Name is not null || r.Email is not null || r.Phone is not null));
            var updates = await db.CaseUpdates.AsNoTracking().Where(u => u.CaseId == c.Id && (u.IsPublic || u.Kind == CaseUpdateKind.StatusChange))
                .OrderBy(u => u.CreatedAt).Select(u => new FoundUpdate(u.CreatedAt, u.IsPublic ? u.Text : null, u.StatusAfter.HasValue ? u.StatusAfter.Value.ToString() : null))
                .ToListAsync(ct);
            // Photos they sent (through their messages or with their report); other reporters' photos are theirs, not this person's.
            var photos = await db.CasePhotos.AsNoTracking().Where(p => p.CaseId == c.Id
                    && (p.MessageId == null ? mine != null : db.Messages.IgnoreQueryFilters().Any(m => m.Id == p.MessageId && conversationIds.Contains(m.ConversationId))))
                .Select(p => p.FileName).ToListAsync(ct);
            result.Add(new FoundCase(c.Id, c.Reference, c.Title, c.Description, c.Address, c.Status.ToString(), c.IsOpen, c.CreatedAt,
                mine is null ? null : new FoundContact(mine.Name, mine.Email, mine.Phone), updates, photos));
        }

        return result;
    }

    /// <summary>A ZIP with data.json (everything, machine-readable) and summary.html (the same, for a person to read).</summary>
    public static byte[] Export(SubjectRequest request, SubjectData data, string organisationName)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            var json = zip.CreateEntry("data.json", CompressionLevel.Optimal);
            using (var s = json.Open())
            {
                JsonSerializer.Serialize(s, new
                {
                    request = new { request.Reference, kind = request.Kind.ToString(), request.RequesterName, request.ReceivedAt, request.DueAt },
                    organisation = organisationName,
                    data.GeneratedAt,
                    data.Conversations,
                    data.Cases,
                }, ExportJson);
            }

            var html = zip.CreateEntry("summary.html", CompressionLevel.Optimal);
            using var w = new StreamWriter(html.Open(), new UTF8Encoding(false));
            w.Write(Summary(request, data, organisationName));
        }

        return buffer.ToArray();
    }

    private static string Summary(SubjectRequest request, SubjectData data, string organisationName)
    {
        // Everything is encoded: the text is citizens' and staff's own words.
        static string E(string? s) => WebUtility.HtmlEncode(s ?? "");
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(E($"Your data held by {organisationName}"))
          .Append("</title><style>body{font-family:Arial,sans-serif;max-width:60em;margin:2em auto;line-height:1.5}table{border-collapse:collapse}td,th{border:1px solid #b1b4b6;padding:.3em .6em;text-align:left;vertical-align:top}</style></head><body>");
        sb.Append("<h1>").Append(E($"Your data held by {organisationName}")).Append("</h1>");
        sb.Append("<p>Request ").Append(E(request.Reference)).Append(" for ").Append(E(request.RequesterName)).Append(", received ")
          .Append(E(request.ReceivedAt.ToString("d MMMM yyyy", System.Globalization.CultureInfo.InvariantCulture))).Append(". Produced ")
          .Append(E(data.GeneratedAt.ToString("d MMMM yyyy HH:mm", System.Globalization.CultureInfo.InvariantCulture))).Append(" UTC. The file data.json holds the same information in a machine-readable form.</p>");
        sb.Append("<h2>Conversations (").Append(data.Conversations.Count).Append(")</h2>");
        foreach (var c in data.Conversations)
        {
            sb.Append("<h3>").Append(E(c.Reference)).Append(": ").Append(E(c.Subject)).Append("</h3><p>").Append(E(c.Channel)).Append(", as ").Append(E(c.Handle))
              .Append(c.Email is null ? "" : ", email " + E(c.Email)).Append("</p><table><thead><tr><th>When</th><th>From</th><th>Message</th></tr></thead><tbody>");
            foreach (var m in c.Messages)
            {
                sb.Append("<tr><td>").Append(E(m.At.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture))).Append("</td><td>").Append(E(m.Author))
                  .Append("</td><td>").Append(E(m.Text)).Append("</td></tr>");
            }

            sb.Append("</tbody></table>");
            if (c.Notes.Count > 0)
            {
                sb.Append("<p>Staff notes about this conversation:</p><ul>");
                foreach (var n in c.Notes)
                {
                    sb.Append("<li>").Append(E(n.At.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture))).Append(", ").Append(E(n.Author)).Append(": ").Append(E(n.Text)).Append("</li>");
                }

                sb.Append("</ul>");
            }
        }

        sb.Append("<h2>Cases (").Append(data.Cases.Count).Append(")</h2>");
        foreach (var c in data.Cases)
        {
            sb.Append("<h3>").Append(E(c.Reference)).Append(": ").Append(E(c.Title)).Append("</h3><p>").Append(E(c.Description)).Append("</p><p>Status: ").Append(E(c.Status))
              .Append(c.Address is null ? "" : ". Address: " + E(c.Address)).Append("</p>");
            if (c.Contact is { } contact)
            {
                sb.Append("<p>Contact details you gave: ").Append(E(string.Join(", ", new[] { contact.Name, contact.Email, contact.Phone }.Where(x => x is not null)))).Append("</p>");
            }
        }

        sb.Append("</body></html>");
        return sb.ToString();
    }

    /// <summary>
    /// Erases what was found, except what must be kept: anything on an open case (the case still needs it). Returns
    /// what was kept and why, for the request's outcome. Audit payloads about the erased conversations are erased
    /// too (their hashes stay, so the chain verifies).
    /// </summary>
    public async Task<(int Erased, IReadOnlyList<string> Kept)> EraseAsync(SubjectRequest request, SubjectData data, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var kept = new List<string>();
        var openCaseIds = data.Cases.Where(c => c.IsOpen).Select(c => c.Id).ToList();
        foreach (var c in data.Cases.Where(c => c.IsOpen))
        {
            kept.Add($"Case {c.Reference} is open: its messages and the reporter's details are kept until it is closed");
        }

        var protectedMessages = await db.CaseMessages.Where(cm => openCaseIds.Contains(cm.CaseId)).Select(cm => cm.MessageId).ToListAsync(ct);
        var erased = 0;
        var conversationIds = data.Conversations.Select(c => c.Id).ToList();
        var messageIds = data.Conversations.SelectMany(c => c.Messages).Where(m => m.Direction == nameof(MessageDirection.Inbound)).Select(m => m.Id).Except(protectedMessages).ToList();
        foreach (var m in await db.Messages.IgnoreQueryFilters().Where(m => m.OrganisationId == request.OrganisationId && messageIds.Contains(m.Id)).ToListAsync(ct))
        {
            RetentionPurge.Anonymise(m, now);
            erased++;
        }

        var protectedConversations = await db.CaseReporters.Where(r => openCaseIds.Contains(r.CaseId) && r.ConversationId != null).Select(r => r.ConversationId!.Value).ToListAsync(ct);
        foreach (var c in await db.Conversations.Where(c => conversationIds.Contains(c.Id) && !protectedConversations.Contains(c.Id)).ToListAsync(ct))
        {
            (c.CitizenHandle, c.CitizenName, c.CitizenEmail, c.Subject) = ("anonymised", null, null, RetentionPurge.Removed);
            foreach (var n in await db.InternalNotes.Where(n => n.ConversationId == c.Id).ToListAsync(ct))
            {
                n.Text = RetentionPurge.Removed;
            }
        }

        var closedCaseIds = data.Cases.Where(c => !c.IsOpen).Select(c => c.Id).ToList();
        foreach (var r in await db.CaseReporters.Where(r => closedCaseIds.Contains(r.CaseId) && (r.ConversationId == null || conversationIds.Contains(r.ConversationId.Value))).ToListAsync(ct))
        {
            (r.Name, r.Email, r.Phone) = (null, null, null);
            erased++;
        }

        // Audit records about these conversations can quote the person's words (replies, notes): erase their payloads.
        var targets = conversationIds.Except(protectedConversations).Select(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var events = await db.AuditEvents.Where(e => e.TargetType == nameof(Conversation) && e.TargetId != null && targets.Contains(e.TargetId)
                                                     && e.PayloadHash != null && e.PayloadErasedAt == null && e.Action != AuditChain.PayloadsErasedAction).ToListAsync(ct);
        var erasedEvents = events.Where(e => AuditChain.ErasePayload(e, now)).Select(e => e.Id).ToList();
        if (erasedEvents.Count > 0)
        {
            audit.Record(AuditChain.PayloadsErasedAction, "AuditEvent", null, after: new { eventIds = erasedEvents, reason = "erasure request " + request.Reference });
        }

        audit.Record("subject-request.erased", nameof(SubjectRequest), request.Reference, after: new { erased, kept });
        await db.SaveChangesAsync(ct);
        return (erased, kept);
    }

    /// <summary>
    /// Restriction of processing (Article 18): marks every conversation and case found with the request's reference,
    /// so the rest of CivicDesk stores them and does nothing else (<see cref="ProcessingRestriction"/>). Returns how
    /// many were marked. Audited without the identifiers.
    /// </summary>
    public async Task<int> RestrictAsync(SubjectRequest request, SubjectData data, CancellationToken ct)
    {
        var conversationIds = data.Conversations.Select(c => c.Id).ToList();
        var caseIds = data.Cases.Select(c => c.Id).ToList();
        var marked = 0;
        foreach (var c in await db.Conversations.Where(c => conversationIds.Contains(c.Id) && c.RestrictedBy == null).ToListAsync(ct))
        {
            c.RestrictedBy = request.Reference;
            marked++;
        }

        foreach (var c in await db.Cases.Where(c => caseIds.Contains(c.Id) && c.RestrictedBy == null).ToListAsync(ct))
        {
            c.RestrictedBy = request.Reference;
            marked++;
        }

        audit.Record("subject-request.restricted", nameof(SubjectRequest), request.Reference, after: new { conversations = conversationIds.Count, cases = caseIds.Count, marked });
        await db.SaveChangesAsync(ct);
        return marked;
    }

    /// <summary>Lifts this request's restriction (the person agreed, or the reason ended): clears its marks only.</summary>
    public async Task<int> LiftRestrictionAsync(SubjectRequest request, CancellationToken ct)
    {
        var reference = request.Reference;
        var lifted = await db.Conversations.Where(c => c.RestrictedBy == reference).ExecuteUpdateAsync(s => s.SetProperty(c => c.RestrictedBy, (string?)null), ct)
                     + await db.Cases.Where(c => c.RestrictedBy == reference).ExecuteUpdateAsync(s => s.SetProperty(c => c.RestrictedBy, (string?)null), ct);
        audit.Record("subject-request.restriction-lifted", nameof(SubjectRequest), reference, after: new { lifted });
        await db.SaveChangesAsync(ct);
        return lifted;
    }
}
