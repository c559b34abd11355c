using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Platform.Email;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Participation;

/// <summary>
/// Tells everyone who took part in a challenge (proposed, commented or supported) that its response is published.
/// Each mail carries an unsubscribe link: a data-protected token naming the account, so nothing extra is stored.
/// </summary>
public sealed class ParticipationNotifier(CivicDeskDb db, ICitizenMailer mailer, IDataProtectionProvider protection,
    IOptions<CitizenOptions> options, ILogger<ParticipationNotifier> log)
{
    private const string Purpose = "CivicDesk.Citizen.Unsubscribe";

    public string UnsubscribeToken(long accountId) => protection.CreateProtector(Purpose).Protect(accountId.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public long? AccountFromUnsubscribeToken(string token)
    {
        try
        {
            return long.TryParse(protection.CreateProtector(Purpose).Unprotect(token), out var id) ? id : null;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }

    /// <summary>Mails each participant once; returns how many were sent. A failed mail is logged and does not stop the rest.</summary>
    public async Task<int> ResponsePublishedAsync(Challenge challenge, string organisationName, Uri baseUrl, CancellationToken ct)
    {
        var ideaIds = db.Ideas.Where(i => i.ChallengeId == challenge.Id).Select(i => i.Id);
        var participantIds = await db.Ideas.Where(i => i.ChallengeId == challenge.Id && i.CitizenAccountId != null).Select(i => i.CitizenAccountId!.Value)
            .Union(db.IdeaComments.Where(c => ideaIds.Contains(c.IdeaId) && c.CitizenAccountId != null).Select(c => c.CitizenAccountId!.Value))
            .Union(db.IdeaSupports.Where(s => ideaIds.Contains(s.IdeaId) && s.CitizenAccountId != null).Select(s => s.CitizenAccountId!.Value))
            .ToListAsync(ct);
        var people = await db.CitizenAccounts.AsNoTracking().Where(a => participantIds.Contains(a.Id) && !a.NotificationsOff)
            .Select(a => new { a.Id, a.Email, a.DisplayName }).ToListAsync(ct);
        var link = new Uri(baseUrl, $"/participate/{challenge.Slug}/response");
        var sent = 0;
        foreach (var person in people)
        {
            var unsubscribe = new Uri(baseUrl, "/participate/unsubscribe?t=" + Uri.EscapeDataString(UnsubscribeToken(person.Id)));
            var text = $"""
                Hello {person.DisplayName},

                You took part in "{challenge.Title}". {organisationName} has published what it will do with what people said:

                {link.AbsoluteUri}

                Thank you for taking part.
                """;
            try
            {
                await mailer.SendAsync(new CitizenMail(person.Email, $"You said, we did: {challenge.Title}", text)
                {
                    ToName = person.DisplayName,
                    UnsubscribeUrl = unsubscribe,
                    Purpose = "challenge-response",
                }, ct);
                sent++;
            }
            catch (CitizenMailException e)
            {
                log.LogError(e, "Could not tell participant {Account} about challenge {Challenge}", person.Id, challenge.Id);
            }
        }

        return sent;
    }

    public Uri BaseUrl(HttpRequest request) => CitizenSignIn.BaseUrl(request, options.Value);
}
