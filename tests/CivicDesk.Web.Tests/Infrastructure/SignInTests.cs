using System.Net;
using CivicDesk.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Infrastructure;

public sealed class SignInTests : IClassFixture<CivicDeskFactory>
{
    private readonly CivicDeskFactory _factory;

    public SignInTests(CivicDeskFactory factory) => _factory = factory;

    [Fact]
    public async Task Correct_password_signs_in_and_is_audited()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        var client = await StaffClient.SignInAsync(_factory, org, "Agent");
        client.ShouldNotBeNull();

        await using var scope = _factory.ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        (await db.AuditEvents.CountAsync(a => a.Action == "staff.signed-in" && a.ActorId == org.Staff["Agent"].Id)).ShouldBe(1);
    }

    [Fact]
    public async Task Wrong_password_is_refused_and_five_failures_lock_the_account()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        var email = org.Staff["Agent"].Email;
        for (var i = 0; i < 5; i++)
        {
            await Should.ThrowAsync<InvalidOperationException>(() => StaffClient.SignInAsync(_factory, email, "wrong-password-123"));
        }

        // Locked out: even the right password is refused now.
        await Should.ThrowAsync<InvalidOperationException>(() => StaffClient.SignInAsync(_factory, email));
    }

    [Fact]
    public async Task Return_url_to_another_site_is_ignored()
    {
        SignInModelAccessor.Safe("https://evil.example/").ShouldBe("/inbox");
        SignInModelAccessor.Safe("//evil.example/").ShouldBe("/inbox");
        SignInModelAccessor.Safe("/inbox/conversation/5").ShouldBe("/inbox/conversation/5");
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Sign_in_form_without_antiforgery_token_is_rejected()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        var client = StaffClient.Anonymous(_factory);
        var response = await client.PostAsync("/account/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Email"] = org.Staff["Agent"].Email,
            ["Input.Password"] = TestOrganisation.Password,
        }));
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }
}

internal static class SignInModelAccessor
{
    public static string Safe(string url) => CivicDesk.Web.Features.Account.SignInModel.SafeReturnUrl(url);
}
