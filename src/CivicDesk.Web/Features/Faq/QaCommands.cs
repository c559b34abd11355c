using System.Text.RegularExpressions;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Features.Inbox;
using CivicDesk.Web.Platform;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Faq;

public sealed class QaSessionInput
{
    public string? Title { get; set; }
    public string? Hashtag { get; set; }
    public string? Account { get; set; }
    public List<long> ChannelIds { get; set; } = [];
    /// <summary>Local time of the organisation (datetime-local input).</summary>
    public DateTime? StartsAt { get; set; }
    public DateTime? EndsAt { get; set; }
}

/// <summary>A question on a session board: the citizen's words, and the first reply in their conversation after it.</summary>
public sealed record BoardQuestion(long Id, long MessageId, long ConversationId, string Reference, string Channel, string AuthorHandle, string Text,
    DateTime AskedAt, QaQuestionState State, string? Answer, DateTime? AnsweredAt, long? FaqEntryId, DateTime? AskerNotifiedAt);

/// <summary>
/// Q&amp;A sessions and the FAQ. Questions are gathered from the session's channels and window by hashtag or account
/// mention; answers are normal replies through the inbox (so they are recorded, queued and retried like any other);
/// answered questions become FAQ entries, and the asker can be told once.
/// </summary>
public sealed partial class QaCommands(CivicDeskDb db, AuditLog audit, ConversationCommands conversations, IHttpContextAccessor http, TimeProvider clock)
{
    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    private string Actor => http.HttpContext?.User.DisplayNameOf() ?? "system";

    public async Task<FormOutcome> CreateSessionAsync(QaSessionInput input, string zoneId, CancellationToken ct)
    {
        var errors = new List<ErrorLink>();
        var title = (input.Title ?? "").Trim();
        if (title.Length == 0)
        {
            errors.Add(new("title", "Enter a title for the session"));
        }
        else if (title.Length > QaSession.MaxTitleLength)
        {
            errors.Add(new("title", $"Title must be {QaSession.MaxTitleLength} characters or fewer"));
        }

        var hashtag = (input.Hashtag ?? "").Trim().TrimStart('#');
        var account = (input.Account ?? "").Trim().TrimStart('@');
        if (hashtag.Length == 0 && account.Length == 0)
        {
            errors.Add(new("hashtag", "Enter a hashtag or an account that questions will use"));
        }
        else if ((hashtag.Length > 0 && !Tag().IsMatch(hashtag)) || hashtag.Length > 100)
        {
            errors.Add(new("hashtag", "A hashtag can have only letters, numbers and underscores, like AskTheCouncil"));
        }
        else if ((account.Length > 0 && !Handle().IsMatch(account)) || account.Length > 100)
        {
            errors.Add(new("account", "Enter the account as it is written in a mention, like council or council@mastodon.social"));
        }

        var kinds = BroadcastChannels.Kinds.ToList();
        var ids = input.ChannelIds.Distinct().ToList();
        var channels = ids.Count == 0 ? [] : await db.Channels.Where(c => ids.Contains(c.Id) && kinds.Contains(c.Kind)).Select(c => c.Id).ToListAsync(ct);
        if (ids.Count == 0)
        {
            errors.Add(new("channels", "Choose at least one channel the session runs on"));
        }
        else if (channels.Count != ids.Count)
        {
            errors.Add(new("channels", "Choose only the organisation's own social accounts"));
        }

        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(zoneId, out var z) ? z : TimeZoneInfo.Utc;
        DateTime? ToUtc(DateTime? local) => local is { } l ? TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(l, DateTimeKind.Unspecified), zone) : null;
        var starts = ToUtc(input.StartsAt);
        var ends = ToUtc(input.EndsAt);
        if (starts is null)
        {
            errors.Add(new("starts-at", "Enter when the session starts"));
        }

        if (ends is null)
        {
            errors.Add(new("ends-at", "Enter when the session ends"));
        }
        else if (starts is not null && ends <= starts)
        {
            errors.Add(new("ends-at", "The session must end after it starts"));
        }
        else if (starts is not null && ends - starts > TimeSpan.FromDays(14))
        {
            errors.Add(new("ends-at", "A session can last 14 days at most"));
        }

        if (errors.Count > 0)
        {
            return FormOutcome.Fail(errors);
        }

        var session = new QaSession
        {
            OrganisationId = db.CurrentOrganisationId!.Value, Title = title, Hashtag = hashtag.Length == 0 ? null : hashtag,
            Account = account.Length == 0 ? null : account, ChannelIds = ChannelIdList.Format(channels), StartsAt = starts!.Value, EndsAt = ends!.Value,
            CreatedAt = Now, CreatedByName = Actor,
        };
        db.QaSessions.Add(session);
        await using var tx = await db.BeginWriteTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        audit.Record("qa.session-created", "QaSession", session.Id, null, new { session.Title, session.Hashtag, session.Account, session.ChannelIds, session.StartsAt, session.EndsAt });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return FormOutcome.Done(session.Id);
    }

    /// <summary>Adds the messages that arrived for the session since the last look; returns how many were new.</summary>
    public async Task<int> GatherAsync(QaSession session, CancellationToken ct)
    {
        var channels = ChannelIdList.Parse(session.ChannelIds).ToList();
        var known = (await db.QaQuestions.Where(q => q.SessionId == session.Id).Select(q => q.MessageId).ToListAsync(ct)).ToHashSet();
        var candidates = await db.Messages.AsNoTracking()
            .Where(m => m.Direction == MessageDirection.Inbound && channels.Contains(m.ChannelId) && m.CreatedAt >= session.StartsAt && m.CreatedAt <= session.EndsAt)
            .Select(m => new { m.Id, m.ConversationId, m.ChannelId, m.AuthorHandle, m.Text, m.CreatedAt })
            .Take(20_000).ToListAsync(ct);
        var matcher = Matcher(session);
        var added = 0;
        foreach (var m in candidates.Where(m => !known.Contains(m.Id) && matcher.IsMatch(m.Text)))
        {
            db.QaQuestions.Add(new QaQuestion
            {
                OrganisationId = session.OrganisationId, SessionId = session.Id, MessageId = m.Id, ConversationId = m.ConversationId,
                ChannelId = m.ChannelId, AuthorHandle = m.AuthorHandle, AskedAt = m.CreatedAt,
            });
            added++;
        }

        if (added > 0)
        {
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                // Another request gathered the same messages first (unique session + message): theirs stand.
                db.ChangeTracker.Clear();
                return 0;
            }
        }

        return added;
    }

    public async Task<IReadOnlyList<BoardQuestion>> BoardAsync(long sessionId, CancellationToken ct)
    {
        var rows = await db.QaQuestions.AsNoTracking().Where(q => q.SessionId == sessionId)
            .Join(db.Messages, q => q.MessageId, m => m.Id, (q, m) => new { q, m.Text })
            .Join(db.Conversations, x => x.q.ConversationId, c => c.Id, (x, c) => new { x.q, x.Text, c.Reference })
            .Join(db.Channels, x => x.q.ChannelId, ch => ch.Id, (x, ch) => new { x.q, x.Text, x.Reference, Channel = ch.Name })
            .OrderBy(x => x.q.AskedAt).ToListAsync(ct);
        var conversationIds = rows.Select(r => r.q.ConversationId).Distinct().ToList();
        var replies = await db.Messages.AsNoTracking()
            .Where(m => m.Direction == MessageDirection.Outbound && conversationIds.Contains(m.ConversationId))
            .Select(m => new { m.ConversationId, m.CreatedAt, m.Text }).ToListAsync(ct);
        return rows.Select(r =>
        {
            var answer = replies.Where(a => a.ConversationId == r.q.ConversationId && a.CreatedAt >= r.q.AskedAt).MinBy(a => a.CreatedAt);
            return new BoardQuestion(r.q.Id, r.q.MessageId, r.q.ConversationId, r.Reference, r.Channel, r.q.AuthorHandle, r.Text, r.q.AskedAt, r.q.State,
                answer?.Text, answer?.CreatedAt, r.q.FaqEntryId, r.q.AskerNotifiedAt);
        }).ToList();
    }

    /// <summary>Answers on the citizen's own channel: the inbox's reply command does the work and the recording.</summary>
    public async Task<FormOutcome> AnswerAsync(long sessionId, long questionId, string? text, CancellationToken ct)
    {
        var question = await db.QaQuestions.AsNoTracking().SingleOrDefaultAsync(q => q.Id == questionId && q.SessionId == sessionId, ct);
        if (question is null)
        {
            return FormOutcome.Fail($"answer-{questionId}", "This question is not on the board");
        }

        var result = await conversations.ReplyAsync(question.ConversationId, text, ct);
        return result.Outcome switch
        {
            CommandOutcome.Done => FormOutcome.Done(question.Id),
            CommandOutcome.Invalid => FormOutcome.Fail($"answer-{questionId}", result.Error!),
            _ => FormOutcome.Fail($"answer-{questionId}", "You cannot answer this conversation"),
        };
    }

    public async Task<FormOutcome> SetStateAsync(long sessionId, long questionId, QaQuestionState state, CancellationToken ct)
    {
        var question = await db.QaQuestions.SingleOrDefaultAsync(q => q.Id == questionId && q.SessionId == sessionId, ct);
        if (question is null)
        {
            return FormOutcome.Fail("questions", "This question is not on the board");
        }

        if (question.State != state)
        {
            audit.Record(state == QaQuestionState.Dismissed ? "qa.question-dismissed" : "qa.question-restored", "QaQuestion", question.Id,
                question.State.ToString(), state.ToString());
            question.State = state;
            await db.SaveChangesAsync(ct);
        }

        return FormOutcome.Done(question.Id);
    }

    /// <summary>Curates an answered question into a published FAQ entry; optionally tells the asker, once.</summary>
    public async Task<FormOutcome> AddToFaqAsync(long sessionId, long questionId, string? questionText, string? answerText, string? topicText, bool tellAsker,
        string faqUrl, CancellationToken ct)
    {
        var question = await db.QaQuestions.SingleOrDefaultAsync(q => q.Id == questionId && q.SessionId == sessionId, ct);
        if (question is null)
        {
            return FormOutcome.Fail("faq-question", "This question is not on the board");
        }

        if (question.FaqEntryId is not null)
        {
            return FormOutcome.Fail("faq-question", "This question is already in the FAQ");
        }

        var errors = Validate(questionText, answerText, topicText, out var q, out var a, out var topic);
        if (errors.Count > 0)
        {
            return FormOutcome.Fail(errors);
        }

        var now = Now;
        var entry = new FaqEntry
        {
            OrganisationId = question.OrganisationId, Question = q, Answer = a, Topic = topic, CreatedAt = now, UpdatedAt = now,
            CreatedByName = Actor, SourceQuestionId = question.Id,
        };
        db.FaqEntries.Add(entry);
        await using (var tx = await db.BeginWriteTransactionAsync(ct))
        {
            await db.SaveChangesAsync(ct);
            question.FaqEntryId = entry.Id;
            audit.Record("faq.entry-published", "FaqEntry", entry.Id, null, new { entry.Question, entry.Topic, QuestionId = question.Id });
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }

        if (tellAsker && question.AskerNotifiedAt is null)
        {
            var result = await conversations.ReplyAsync(question.ConversationId,
                $"Thanks for your question. We've added it to our FAQ: {faqUrl}#faq-{entry.Id}", ct);
            if (result.Outcome != CommandOutcome.Done)
            {
                return FormOutcome.Fail("tell-asker", $"The FAQ entry is published, but the asker could not be told: {result.Error ?? result.Outcome.ToString()}");
            }

            question.AskerNotifiedAt = Now;
            audit.Record("faq.asker-told", "QaQuestion", question.Id, null, $"FAQ entry {entry.Id}");
            await db.SaveChangesAsync(ct);
        }

        return FormOutcome.Done(entry.Id);
    }

    public async Task<FormOutcome> SaveEntryAsync(long? entryId, string? questionText, string? answerText, string? topicText, bool published, CancellationToken ct)
    {
        var errors = Validate(questionText, answerText, topicText, out var q, out var a, out var topic);
        if (errors.Count > 0)
        {
            return FormOutcome.Fail(errors);
        }

        var now = Now;
        FaqEntry? entry;
        if (entryId is { } id)
        {
            entry = await db.FaqEntries.SingleOrDefaultAsync(e => e.Id == id, ct);
            if (entry is null)
            {
                return FormOutcome.Fail("faq-question", "This FAQ entry does not exist");
            }

            var before = new { entry.Question, entry.Answer, entry.Topic, entry.IsPublished };
            (entry.Question, entry.Answer, entry.Topic, entry.IsPublished, entry.UpdatedAt) = (q, a, topic, published, now);
            audit.Record("faq.entry-updated", "FaqEntry", entry.Id, before, new { entry.Question, entry.Answer, entry.Topic, entry.IsPublished });
            await db.SaveChangesAsync(ct);
            return FormOutcome.Done(entry.Id);
        }

        entry = new FaqEntry
        {
            OrganisationId = db.CurrentOrganisationId!.Value, Question = q, Answer = a, Topic = topic, IsPublished = published, CreatedAt = now,
            UpdatedAt = now, CreatedByName = Actor,
        };
        db.FaqEntries.Add(entry);
        await using var tx = await db.BeginWriteTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        audit.Record("faq.entry-published", "FaqEntry", entry.Id, null, new { entry.Question, entry.Topic, entry.IsPublished });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return FormOutcome.Done(entry.Id);
    }

    private static List<ErrorLink> Validate(string? questionText, string? answerText, string? topicText, out string q, out string a, out string topic)
    {
        var errors = new List<ErrorLink>();
        q = Clean(questionText);
        a = Clean(answerText);
        topic = Clean(topicText);
        if (q.Length == 0)
        {
            errors.Add(new("faq-question", "Enter the question"));
        }
        else if (q.Length > FaqEntry.MaxQuestionLength)
        {
            errors.Add(new("faq-question", $"The question must be {FaqEntry.MaxQuestionLength} characters or fewer"));
        }

        if (a.Length == 0)
        {
            errors.Add(new("faq-answer", "Enter the answer"));
        }
        else if (a.Length > FaqEntry.MaxAnswerLength)
        {
            errors.Add(new("faq-answer", $"The answer must be {FaqEntry.MaxAnswerLength} characters or fewer"));
        }

        if (topic.Length == 0)
        {
            errors.Add(new("faq-topic", "Enter a topic, like Council tax"));
        }
        else if (topic.Length > FaqEntry.MaxTopicLength)
        {
            errors.Add(new("faq-topic", $"The topic must be {FaqEntry.MaxTopicLength} characters or fewer"));
        }

        return errors;
    }

    /// <summary>Hashtag as a whole tag (#AskTheCouncil, not #AskTheCouncilToo); account as a mention (@council or @council@instance).</summary>
    public static Regex Matcher(QaSession session)
    {
        var parts = new List<string>();
        if (session.Hashtag is { } tag)
        {
            parts.Add(@"(?<![\p{L}\p{N}_])#" + Regex.Escape(tag) + @"(?![\p{L}\p{N}_])");
        }

        if (session.Account is { } account)
        {
            parts.Add(@"(?<![\p{L}\p{N}_@])@" + Regex.Escape(account) + @"(?![\p{L}\p{N}_])");
        }

        return new Regex(string.Join('|', parts), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }

    /// <summary>"#AskTheCouncil or @council".</summary>
    public static string ListeningFor(string? hashtag, string? account) =>
        string.Join(" or ", new[] { hashtag is null ? null : "#" + hashtag, account is null ? null : "@" + account }.Where(x => x is not null));

    private static string Clean(string? text) =>
        (text ?? "").Replace("\r\n", "\n", StringComparison.Ordinal).Trim().Normalize(System.Text.NormalizationForm.FormC);

    [GeneratedRegex(@"^[\p{L}\p{N}_]+$")]
    private static partial Regex Tag();

    [GeneratedRegex(@"^[A-Za-z0-9_.\-]+(@[A-Za-z0-9.\-]+)?$")]
    private static partial Regex Handle();
}
