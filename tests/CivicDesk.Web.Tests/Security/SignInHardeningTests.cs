using System.Net;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Account;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Security;

/// <summary>The app with a password hasher that counts verifications (to see the unknown-user path do the same work).</summary>
public sealed class CountingHasherFactory : CivicDeskFactory
{
    public CountingHasher Hasher { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(s => s.AddSingleton<IPasswordHasher<StaffMember>>(Hasher));
    }
}

public sealed class CountingHasher : IPasswordHasher<StaffMember>
{
    private readonly PasswordHasher<StaffMember> _inner = new();
    private int _verifications;

    public int Verifications => Volatile.Read(ref _verifications);

    public string HashPassword(StaffMember user, string password) => _inner.HashPassword(user, password);

    public PasswordVerificationResult VerifyHashedPassword(StaffMember user, string hashedPassword, string providedPassword)
    {
        Interlocked.Increment(ref _verifications);
        return _inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
    }
}

public sealed class SignInHardeningTests : IClassFixture<CountingHasherFactory>
{
    private readonly CountingHasherFactory _factory;

    public SignInHardeningTests(CountingHasherFactory factory) => _factory = factory;

    private static async Task<HttpResponseMessage> TryAsync(HttpClient client, string email, string password) =>
        await StaffClient.PostFormAsync(client, "/account/sign-in", "/account/sign-in", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        });

    private static async Task<string> ErrorAsync(HttpResponseMessage response)
    {
        var page = await Inbox.InboxTestData.ParseAsync(await response.Content.ReadAsStringAsync());
        return page.QuerySelector(".govuk-error-summary__list")?.TextContent.Trim() ?? "";
    }

    [Fact]
    public async Task Unknown_wrong_inactive_and_locked_accounts_all_get_the_same_message()
    {
        // A fresh client address per case would be ideal; one factory is one address, so stay under the throttle.
        var org = await TestOrganisation.CreateAsync(_factory);
        await using (var scope = _factory.ScopeFor(org.Id))
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffMember>>();
            var analyst = await users.FindByEmailAsync(org.Staff[Roles.Analyst].Email);
            analyst!.IsActive = false;
            await users.UpdateAsync(analyst);
            var lead = await users.FindByEmailAsync(org.Staff[Roles.TeamLead].Email);
            await users.SetLockoutEndDateAsync(lead!, DateTimeOffset.UtcNow.AddMinutes(10));
        }

        var client = StaffClient.Anonymous(_factory);
        var unknown = await ErrorAsync(await TryAsync(client, "nobody@" + org.Slug + ".test", TestOrganisation.Password));
        var wrong = await ErrorAsync(await TryAsync(client, org.Staff[Roles.Agent].Email, "wrong-password-123"));
        var inactive = await ErrorAsync(await TryAsync(client, org.Staff[Roles.Analyst].Email, TestOrganisation.Password));
        var locked = await ErrorAsync(await TryAsync(client, org.Staff[Roles.TeamLead].Email, TestOrganisation.Password));

        unknown.ShouldBe(SignInModel.Failure);
        wrong.ShouldBe(unknown);
        inactive.ShouldBe(unknown);
        locked.ShouldBe(unknown);
    }

    [Fact]
    public async Task An_unknown_address_costs_one_password_verification_like_a_known_one()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        var client = StaffClient.Anonymous(_factory);
        var before = _factory.Hasher.Verifications;
        await TryAsync(client, "no-such-person@" + org.Slug + ".test", "some-password-123");
        var unknownCost = _factory.Hasher.Verifications - before;

        before = _factory.Hasher.Verifications;
        await TryAsync(client, org.Staff[Roles.Comms].Email, "some-password-123");
        var knownCost = _factory.Hasher.Verifications - before;

        knownCost.ShouldBe(1);
        unknownCost.ShouldBe(knownCost);
    }
}

/// <summary>Its own app (and so its own client address's counter): one address spraying passwords across accounts.</summary>
public sealed class SignInThrottleTests : IClassFixture<CivicDeskFactory>
{
    private readonly CivicDeskFactory _factory;

    public SignInThrottleTests(CivicDeskFactory factory) => _factory = factory;

    [Fact]
    public async Task Thirty_wrong_passwords_from_one_address_across_many_accounts_are_throttled()
    {
        var orgs = new List<TestOrganisation>();
        for (var i = 0; i < 6; i++)
        {
            orgs.Add(await TestOrganisation.CreateAsync(_factory));
        }

        // 30 different accounts (6 organisations × one per role), one wrong password each: Identity's per-account lockout never trips.
        var accounts = orgs.SelectMany(o => o.Staff.Values.Select(s => s.Email)).Distinct().Take(30).ToList();
        accounts.Count.ShouldBe(30);
        var client = StaffClient.Anonymous(_factory);
        var statuses = new List<HttpStatusCode>();
        foreach (var email in accounts)
        {
            var response = await StaffClient.PostFormAsync(client, "/account/sign-in", "/account/sign-in", new Dictionary<string, string>
            {
                ["Input.Email"] = email,
                ["Input.Password"] = "Spring2026-password",
            });
            statuses.Add(response.StatusCode);
        }

        statuses.Take(20).ShouldAllBe(s => s == HttpStatusCode.OK);
        statuses.Skip(20).ShouldAllBe(s => s == HttpStatusCode.TooManyRequests);

        // Blocked before the password is checked: even the right one does not get in from this address now.
        var right = await StaffClient.PostFormAsync(client, "/account/sign-in", "/account/sign-in", new Dictionary<string, string>
        {
            ["Input.Email"] = orgs[0].Staff[Roles.Agent].Email,
            ["Input.Password"] = TestOrganisation.Password,
        });
        right.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        (await right.Content.ReadAsStringAsync()).ShouldContain("too many failed sign-in attempts from your network");
    }
}
