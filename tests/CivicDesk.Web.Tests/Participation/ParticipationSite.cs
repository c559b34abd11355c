using System.Net;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace CivicDesk.Web.Tests.Participation;

/// <summary>
/// The app serving one public organisation, mailing through a real SMTP server on loopback. Citizens sign in the
/// way a person does: ask for a link, read it from the received mail, open it in the same browser.
/// </summary>
public sealed class ParticipationFactory : CivicDeskFactory, IAsyncLifetime
{
    public const string Slug = "participation-test";
    private TestOrganisation? _organisation;

    public TestSmtpServer Smtp { get; private set; } = null!;
    public TestOrganisation Organisation => _organisation ?? throw new InvalidOperationException("Not initialised");

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Public:OrganisationSlug", Slug),
        new("Citizens:ContributionBurst", "10000"),
        new("Citizens:RequestsPerAddressPerTenMinutes", "10000"),
        .. Smtp.Settings,
    ];

    /// <summary>Server errors logged while the tests ran (an assertion on a 500 shows them).</summary>
    public ErrorLog Errors { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureLogging(l => l.AddProvider(Errors));
    }

    public async Task InitializeAsync()
    {
        Smtp = await TestSmtpServer.StartAsync();
        _organisation = await TestOrganisation.CreateAsync(this, Slug);
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await Smtp.DisposeAsync();
    }

    /// <summary>A challenge open for ideas since yesterday, owned by <paramref name="ownerTeam"/>.</summary>
    public async Task<Challenge> ChallengeAsync(string ownerTeam = "Highways", ModerationMode moderation = ModerationMode.Post, string? background = null, string? hashtag = null)
    {
        await using var scope = ScopeFor(Organisation.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var slug = "c-" + Guid.NewGuid().ToString("N")[..10];
        var challenge = new Challenge
        {
            OrganisationId = Organisation.Id, Slug = slug, Title = "Which forms should we scrap " + slug, Question = "Which council forms waste your time?",
            Background = background ?? "", OwnerTeamId = Organisation.Teams[ownerTeam], Moderation = moderation, Hashtag = hashtag,
            OpensAt = DateTime.UtcNow.AddDays(-1), ClosesAt = DateTime.UtcNow.AddDays(30), CreatedAt = DateTime.UtcNow,
        };
        db.Challenges.Add(challenge);
        await db.SaveChangesAsync();
        return challenge;
    }

    /// <summary>A citizen browser signed in by the emailed link, with a display name chosen.</summary>
    public async Task<HttpClient> CitizenAsync(string email, string displayName)
    {
        var client = StaffClient.Anonymous(this);
        var asked = await StaffClient.PostFormAsync(client, "/participate/sign-in", "/participate/sign-in", new Dictionary<string, string> { ["Email"] = email });
        asked.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var mail = await Smtp.WaitForMailAsync(email);
        var link = new Uri(TestSmtpServer.LinkIn(mail, "/participate/sign-in/"));
        var used = await client.GetAsync(link.PathAndQuery);
        used.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        used.Headers.Location!.OriginalString.ShouldStartWith("/participate/account?welcome=1");
        var saved = await StaffClient.PostFormAsync(client, "/participate/account", "/participate/account?handler=Save",
            new Dictionary<string, string> { ["DisplayName"] = displayName, ["Postcode"] = "", ["Notifications"] = "true" });
        saved.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        return client;
    }

    public async Task<T> WithDbAsync<T>(Func<CivicDeskDb, Task<T>> work)
    {
        await using var scope = ScopeFor(Organisation.Id);
        return await work(scope.ServiceProvider.GetRequiredService<CivicDeskDb>());
    }

    /// <summary>Proposes an idea through the form; returns its id.</summary>
    public static async Task<long> ProposeAsync(HttpClient citizen, Challenge challenge, string title, string text, double? lat = null, double? lon = null)
    {
        var page = $"/participate/{challenge.Slug}/propose";
        var token = await StaffClient.AntiforgeryTokenAsync(citizen, page);
        using var form = new MultipartFormDataContent
        {
            { new StringContent(title), "Title" },
            { new StringContent(text), "Text" },
            { new StringContent(token), "__RequestVerificationToken" },
        };
        if (lat is not null)
        {
            form.Add(new StringContent(lat.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)), "Latitude");
            form.Add(new StringContent(lon!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)), "Longitude");
        }

        var response = await citizen.PostAsync(page, form);
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect, await response.Content.ReadAsStringAsync());
        return long.Parse(response.Headers.Location!.OriginalString.Split('/').Last(), System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>Keeps every error the app logs, so a failing test can say why the server answered 500.</summary>
public sealed class ErrorLog : ILoggerProvider, ILogger
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _errors = new();

    public override string ToString() => string.Join("\n---\n", _errors);

    public ILogger CreateLogger(string categoryName) => this;
    public void Dispose() { }
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel))
        {
            _errors.Enqueue(formatter(state, exception) + "\n" + exception);
        }
    }
}
