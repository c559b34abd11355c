using System.Globalization;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CsvHelper;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Participation;

public sealed record OpenIdea(long Id, string Title, string Text, string State, string? HiddenReason, string Origin, string? Theme,
    int Supports, int Comments, double? Latitude, double? Longitude, DateOnly Created, string? Response);

public sealed record OpenComment(long Id, long IdeaId, long? ReplyTo, string Text, string State, string? HiddenReason, DateOnly Created);

public sealed record OpenTheme(long Id, string Title, string? Response);

public sealed record OpenSupportDay(long IdeaId, DateOnly Day, int Supports);

public sealed record OpenChallenge(string Title, string Question, string Phase, DateTime? Opens, DateTime? Closes, DateTime? ResponsePublished,
    string? ResponseSummary, IReadOnlyList<OpenTheme> Themes, IReadOnlyList<OpenIdea> Ideas, IReadOnlyList<OpenComment> Comments,
    IReadOnlyList<OpenSupportDay> SupportsByDay);

/// <summary>
/// A challenge as open data. Personal data removed: no names, emails, postcodes or account ids; dates to the day;
/// pins rounded to about 100 m; hidden and removed text replaced by its placeholder; supports as daily counts.
/// </summary>
public static class OpenData
{
    public static async Task<OpenChallenge> BuildAsync(CivicDeskDb db, Challenge challenge, DateTime now, CancellationToken ct)
    {
        var themes = await db.IdeaThemes.AsNoTracking().Where(t => t.ChallengeId == challenge.Id).OrderBy(t => t.Id)
            .Select(t => new OpenTheme(t.Id, t.Title, t.Response)).ToListAsync(ct);
        var themeNames = themes.ToDictionary(t => t.Id, t => t.Title);
        var ideas = await db.Ideas.AsNoTracking().Where(i => i.ChallengeId == challenge.Id && i.State != ContributionState.Pending).OrderBy(i => i.Id)
            .Select(i => new
            {
                i.Id, i.Title, i.Text, i.State, i.HiddenReason, i.Origin, i.ThemeId, i.Latitude, i.Longitude, i.CreatedAt, i.Response,
                Supports = db.IdeaSupports.Count(s => s.IdeaId == i.Id),
                Comments = db.IdeaComments.Count(c => c.IdeaId == i.Id && c.State == ContributionState.Visible),
            }).ToListAsync(ct);
        var ideaIds = ideas.Select(i => i.Id).ToList();
        var comments = await db.IdeaComments.AsNoTracking().Where(c => ideaIds.Contains(c.IdeaId) && c.State != ContributionState.Pending).OrderBy(c => c.Id)
            .Select(c => new { c.Id, c.IdeaId, c.ParentCommentId, c.Text, c.State, c.HiddenReason, c.CreatedAt }).ToListAsync(ct);
        var supports = await db.IdeaSupports.AsNoTracking().Where(s => ideaIds.Contains(s.IdeaId)).Select(s => new { s.IdeaId, s.CreatedAt }).ToListAsync(ct);

        return new OpenChallenge(challenge.Title, challenge.Question, challenge.PhaseAt(now).ToString(), challenge.OpensAt, challenge.ClosesAt,
            challenge.ResponsePublishedAt, challenge.ResponseSummary, themes,
            ideas.Select(i => new OpenIdea(i.Id, Shown(i.State, i.Title), Shown(i.State, i.Text), i.State.ToString(),
                i.State == ContributionState.Hidden ? HouseRules.TitleOf(i.HiddenReason) : null, i.Origin.ToString(),
                i.ThemeId is { } t ? themeNames.GetValueOrDefault(t) : null, i.Supports, i.Comments,
                Round(i.State, i.Latitude), Round(i.State, i.Longitude), DateOnly.FromDateTime(i.CreatedAt), i.Response)).ToList(),
            comments.Select(c => new OpenComment(c.Id, c.IdeaId, c.ParentCommentId, Shown(c.State, c.Text), c.State.ToString(),
                c.State == ContributionState.Hidden ? HouseRules.TitleOf(c.HiddenReason) : null, DateOnly.FromDateTime(c.CreatedAt))).ToList(),
            supports.GroupBy(s => (s.IdeaId, Day: DateOnly.FromDateTime(s.CreatedAt))).OrderBy(g => g.Key.IdeaId).ThenBy(g => g.Key.Day)
                .Select(g => new OpenSupportDay(g.Key.IdeaId, g.Key.Day, g.Count())).ToList());
    }

    private static string Shown(ContributionState state, string text) => state switch
    {
        ContributionState.Hidden => "[hidden by a moderator]",
        ContributionState.Removed => "[removed by its author]",
        _ => text,
    };

    private static double? Round(ContributionState state, double? value) =>
        state == ContributionState.Visible && value is { } v ? Math.Round(v, 3) : null;

    public static string IdeasCsv(OpenChallenge data)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        using var csv = new CsvWriter(writer, CultureInfo.InvariantCulture);
        csv.WriteRecords(data.Ideas);
        return writer.ToString();
    }

    public static string CommentsCsv(OpenChallenge data)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        using var csv = new CsvWriter(writer, CultureInfo.InvariantCulture);
        csv.WriteRecords(data.Comments);
        return writer.ToString();
    }
}
