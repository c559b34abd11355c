using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Dashboards;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Dashboards;

/// <summary>
/// The Engagement Index's components on seeded data: two-way (replies against broadcasts, per organisation, team and
/// account), participation (contributions per 1,000 inbound messages, scaled and capped) and the account scope.
/// June 2026 is used throughout, so the result never depends on today's date.
/// </summary>
public sealed class EngagementComponentTests(ManualAggregatesFactory factory) : IClassFixture<ManualAggregatesFactory>
{
    private static readonly DateOnly June = new(2026, 6, 1);
    private static readonly DateTime Mid = new(2026, 6, 10, 10, 0, 0, DateTimeKind.Utc);

    private sealed record Arranged(TestOrganisation Org, long Mastodon, long Bluesky);

    /// <summary>
    /// Customer Services (where every test member of staff is) and Highways. Mastodon carries 6 Customer Services
    /// conversations, Bluesky 4 Highways ones. Replies sent in June: 6 on Mastodon, 2 on Bluesky (plus one still pending
    /// and one sent in May, which do not count). Broadcasts in June: one publication by the admin delivered to
    /// Mastodon and Bluesky (another one's delivery failed), and one newsroom post by comms with no announcement.
    /// </summary>
    private async Task<Arranged> ArrangeAsync(bool publish = true)
    {
        var org = await TestOrganisation.CreateAsync(factory, null, "Customer Services", "Highways");
        await using var scope = factory.ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var mastodon = new Channel { OrganisationId = org.Id, Kind = ChannelKind.Mastodon, Name = "Council Mastodon", Account = "@council@example.social", CreatedAt = Mid };
        var bluesky = new Channel { OrganisationId = org.Id, Kind = ChannelKind.Bluesky, Name = "Council Bluesky", Account = "council.example", CreatedAt = Mid };
        db.Channels.AddRange(mastodon, bluesky);
        await db.SaveChangesAsync();

        var n = 0;
        async Task<Conversation> ConversationAsync(long channel, long team, TimeSpan? answeredAfter)
        {
            var at = Mid.AddMinutes(n++);
            var c = new Conversation
            {
                OrganisationId = org.Id, ChannelId = channel, Reference = $"EC-{Guid.NewGuid():N}"[..14], CitizenHandle = "c", Subject = "s",
                CreatedAt = at, UpdatedAt = at, LastMessageAt = at, AssignedTeamId = team, FirstResponseAt = at + answeredAfter,
            };
            db.Conversations.Add(c);
            await db.SaveChangesAsync();
            db.Messages.Add(new Message
            {
                OrganisationId = org.Id, ChannelId = channel, ConversationId = c.Id, ExternalId = $"in-{n}", AuthorHandle = "c", Text = "hello",
                CreatedAt = at, ReceivedAt = at,
            });
            await db.SaveChangesAsync();
            return c;
        }

        async Task ReplyAsync(Conversation c, OutboundStatus status, DateTime? sentAt)
        {
            var reply = new Message
            {
                OrganisationId = org.Id, ChannelId = c.ChannelId, ConversationId = c.Id, Direction = MessageDirection.Outbound, ExternalId = $"out-{n++}",
                AuthorHandle = "council", Text = "thanks", CreatedAt = Mid, ReceivedAt = Mid,
            };
            db.Messages.Add(reply);
            await db.SaveChangesAsync();
            db.OutboundMessages.Add(new OutboundMessage
            {
                OrganisationId = org.Id, ChannelId = c.ChannelId, ConversationId = c.Id, MessageId = reply.Id, Status = status, QueuedAt = Mid, NextAttemptAt = Mid, SentAt = sentAt,
            });
            await db.SaveChangesAsync();
        }

        var cs = org.Teams["Customer Services"];
        var highways = org.Teams["Highways"];
        // Mastodon: 6 conversations answered in 1 working hour (Wednesday 10:00 UTC = 11:00 BST), so all in time.
        var onMastodon = new List<Conversation>();
        for (var i = 0; i < 6; i++)
        {
            onMastodon.Add(await ConversationAsync(mastodon.Id, cs, TimeSpan.FromHours(1)));
        }

        // Bluesky: 4 conversations, one answered in time, three never answered.
        var onBluesky = new List<Conversation> { await ConversationAsync(bluesky.Id, highways, TimeSpan.FromMinutes(30)) };
        for (var i = 0; i < 3; i++)
        {
            onBluesky.Add(await ConversationAsync(bluesky.Id, highways, null));
        }

        foreach (var c in onMastodon)
        {
            await ReplyAsync(c, OutboundStatus.Sent, Mid.AddHours(1));
        }

        await ReplyAsync(onBluesky[0], OutboundStatus.Sent, Mid.AddHours(1));
        await ReplyAsync(onBluesky[0], OutboundStatus.Sent, Mid.AddDays(2));
        await ReplyAsync(onBluesky[1], OutboundStatus.Pending, null);
        await ReplyAsync(onBluesky[2], OutboundStatus.Sent, new DateTime(2026, 5, 20, 9, 0, 0, DateTimeKind.Utc));

        if (publish)
        {
            var publication = new Publication
            {
                OrganisationId = org.Id, Text = "Roadworks on the High Street", CreatedById = org.Staff[Roles.Admin].Id, CreatedByName = "Admin", CreatedAt = Mid,
                Status = PublicationStatus.Published,
            };
            var failed = new Publication
            {
                OrganisationId = org.Id, Text = "Never went out", CreatedById = org.Staff[Roles.Admin].Id, CreatedByName = "Admin", CreatedAt = Mid,
                Status = PublicationStatus.Failed,
            };
            db.Publications.AddRange(publication, failed);
            await db.SaveChangesAsync();
            foreach (var (p, channel, state) in new[] { (publication, mastodon, DeliveryState.Delivered), (publication, bluesky, DeliveryState.Delivered), (failed, mastodon, DeliveryState.Failed) })
            {
                db.PublicationDeliveries.Add(new PublicationDelivery
                {
                    OrganisationId = org.Id, PublicationId = p.Id, ChannelId = channel.Id, Kind = channel.Kind, Text = p.Text, State = state,
                    IdempotencyKey = Guid.NewGuid().ToString("N"), NextAttemptAt = Mid, DeliveredAt = state == DeliveryState.Delivered ? Mid.AddHours(3) : null,
                });
            }

            db.NewsPosts.Add(new NewsPost
            {
                OrganisationId = org.Id, Slug = "bins", Title = "Bin days", Summary = "s", BodyMarkdown = "b", Status = NewsPostStatus.Published, PublishedAt = Mid.AddDays(1),
                CreatedAt = Mid, UpdatedAt = Mid, AuthorId = org.Staff[Roles.Comms].Id, AuthorName = "Comms",
            });
            await db.SaveChangesAsync();
        }

        await scope.ServiceProvider.GetRequiredService<AggregateMaintainer>().DrainAsync(CancellationToken.None);
        return new Arranged(org, mastodon.Id, bluesky.Id);
    }

    private async Task<IReadOnlyList<MonthlyIndex>> JuneAsync(long organisationId, params IndexScope[] scopes)
    {
        await using var scope = factory.ScopeFor(organisationId);
        var index = scope.ServiceProvider.GetRequiredService<EngagementIndex>();
        return (await index.MonthsAsync(June, 1, scopes, CancellationToken.None)).Select(m => m.Single()).ToList();
    }

    [Fact]
    public async Task TwoWay_CountsSentRepliesAgainstDeliveredBroadcasts_PerOrganisationTeamAndAccount()
    {
        var a = await ArrangeAsync();
        var cs = IndexScope.ForTeam(a.Org.Teams["Customer Services"], "Customer Services");
        var highways = IndexScope.ForTeam(a.Org.Teams["Highways"], "Highways");

        var months = await JuneAsync(a.Org.Id, IndexScope.Organisation, cs, highways,
            IndexScope.ForAccount(a.Mastodon, "Mastodon"), IndexScope.ForAccount(a.Bluesky, "Bluesky"), IndexScope.ForAccount(a.Org.WebFormChannelId, "Web form"));

        // Organisation: 8 replies sent in June; 2 deliveries + 1 newsroom-only post = 3 broadcasts.
        months[0].ComponentScore("two-way").ShouldNotBeNull().ShouldBe(100.0 * 8 / 11, 1e-9);
        months[0].Components.Single(c => c.Component.Key == "two-way").Basis.ShouldBe("8 replies and 3 broadcasts");
        // Customer Services: its 6 replies; both broadcasts' authors (admin, comms) are its members: 2 + 1.
        months[1].ComponentScore("two-way").ShouldNotBeNull().ShouldBe(100.0 * 6 / 9, 1e-9);
        // Highways: 2 replies, no member published anything.
        months[2].ComponentScore("two-way").ShouldBe(100);
        // Mastodon: 6 replies, one delivery (the failed one does not count); Bluesky: 2 replies, one delivery.
        months[3].ComponentScore("two-way").ShouldNotBeNull().ShouldBe(100.0 * 6 / 7, 1e-9);
        months[4].ComponentScore("two-way").ShouldNotBeNull().ShouldBe(100.0 * 2 / 3, 1e-9);
        // The web form neither replied nor broadcast in June.
        months[5].ComponentScore("two-way").ShouldBeNull();
        months[5].Components.Single(c => c.Component.Key == "two-way").Basis.ShouldContain("no replies and no broadcasts");
    }

    [Fact]
    public async Task TwoWay_IsNotMeasured_BeforeAnythingIsPublishedThroughCivicDesk()
    {
        var a = await ArrangeAsync(publish: false);

        var org = (await JuneAsync(a.Org.Id, IndexScope.Organisation))[0];

        org.ComponentScore("two-way").ShouldBeNull();
        org.Components.Single(c => c.Component.Key == "two-way").Basis.ShouldContain("nothing has been published through CivicDesk");
    }

    [Fact]
    public async Task AccountScope_MeasuresTheConversationsArrivingThroughThatChannel()
    {
        var a = await ArrangeAsync();

        var months = await JuneAsync(a.Org.Id, IndexScope.ForAccount(a.Mastodon, "Mastodon"), IndexScope.ForAccount(a.Bluesky, "Bluesky"), IndexScope.Organisation);

        months[0].Conversations.ShouldBe(6);
        months[0].ComponentScore("responsiveness").ShouldBe(100);
        months[0].Kind.ShouldBe(IndexScopeKind.Account);
        months[1].Conversations.ShouldBe(4);
        months[1].ComponentScore("responsiveness").ShouldBe(25);
        months[2].Conversations.ShouldBe(10);
        months[2].ComponentScore("responsiveness").ShouldBe(70);
        // Participation is never measured for an account.
        months[0].ComponentScore("participation").ShouldBeNull();
        months[0].Components.Single(c => c.Component.Key == "participation").Basis.ShouldContain("not measured for an account");
    }

    [Fact]
    public async Task Participation_CountsVisibleContributionsPerThousandInboundMessages_ScaledAndCapped()
    {
        var a = await ArrangeAsync();
        await using (var scope = factory.ScopeFor(a.Org.Id))
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            var challenge = new Challenge
            {
                OrganisationId = a.Org.Id, Slug = "potholes", Title = "Potholes", Question = "Where?", OwnerTeamId = a.Org.Teams["Highways"],
                OpensAt = new DateTime(2026, 5, 1, 0, 0, 0, DateTimeKind.Utc), ClosesAt = new DateTime(2026, 6, 20, 0, 0, 0, DateTimeKind.Utc), CreatedAt = Mid,
            };
            db.Challenges.Add(challenge);
            await db.SaveChangesAsync();
            var ideas = new List<Idea>();
            foreach (var state in new[] { ContributionState.Visible, ContributionState.Visible, ContributionState.Hidden, ContributionState.Pending })
            {
                ideas.Add(new Idea { OrganisationId = a.Org.Id, ChallengeId = challenge.Id, Title = "t", Text = "x", State = state, CreatedAt = Mid });
            }

            // An idea from May does not count in June.
            ideas.Add(new Idea { OrganisationId = a.Org.Id, ChallengeId = challenge.Id, Title = "t", Text = "x", State = ContributionState.Visible, CreatedAt = Mid.AddMonths(-1) });
            db.Ideas.AddRange(ideas);
            await db.SaveChangesAsync();
            db.IdeaSupports.AddRange(
                new IdeaSupport { OrganisationId = a.Org.Id, IdeaId = ideas[0].Id, CreatedAt = Mid },
                new IdeaSupport { OrganisationId = a.Org.Id, IdeaId = ideas[1].Id, CreatedAt = Mid });
            db.IdeaComments.AddRange(
                new IdeaComment { OrganisationId = a.Org.Id, IdeaId = ideas[0].Id, Text = "yes", State = ContributionState.Visible, CreatedAt = Mid },
                new IdeaComment { OrganisationId = a.Org.Id, IdeaId = ideas[0].Id, Text = "no", State = ContributionState.Removed, CreatedAt = Mid });
            await db.SaveChangesAsync();
        }

        var months = await JuneAsync(a.Org.Id, IndexScope.Organisation,
            IndexScope.ForTeam(a.Org.Teams["Highways"], "Highways"), IndexScope.ForTeam(a.Org.Teams["Customer Services"], "Customer Services"));

        // 2 visible ideas + 2 supports + 1 visible comment = 5 contributions; 10 inbound messages in June (6 + 4).
        // 500 per 1,000 is past the 200 that scores 100: capped.
        months[0].ComponentScore("participation").ShouldBe(100);
        months[0].Components.Single(c => c.Component.Key == "participation").Basis.ShouldContain("5 ideas, supports and comments per 10 inbound messages");
        // Highways owns the challenge: 5 per its 4 inbound messages, capped too.
        months[1].ComponentScore("participation").ShouldBe(100);
        // Customer Services owns no challenge: not measured.
        months[2].ComponentScore("participation").ShouldBeNull();
        months[2].Components.Single(c => c.Component.Key == "participation").Basis.ShouldContain("no challenge open");
    }

    [Theory]
    [InlineData(0, 1000, 0)]
    [InlineData(50, 1000, 25)]
    [InlineData(100, 1000, 50)]
    [InlineData(200, 1000, 100)]
    [InlineData(900, 1000, 100)]
    [InlineData(3, 40, 37.5)]
    public void Participation_ScaleIsLinearUpTo200PerThousand(int contributions, int inbound, double expected)
    {
        EngagementIndex.Participation(contributions, inbound, challengeOpen: true).Score.ShouldNotBeNull().ShouldBe(expected, 1e-9);
    }

    [Fact]
    public void Participation_NeedsAnOpenChallengeAndInboundMessages()
    {
        EngagementIndex.Participation(10, 1000, challengeOpen: false).Score.ShouldBeNull();
        EngagementIndex.Participation(10, 0, challengeOpen: true).Score.ShouldBeNull();
    }

    [Fact]
    public void TwoWay_IsTheShareOfRepliesInRepliesPlusBroadcasts()
    {
        EngagementIndex.TwoWay(30, 10, publishingInUse: true).Score.ShouldBe(75);
        EngagementIndex.TwoWay(0, 10, publishingInUse: true).Score.ShouldBe(0);
        EngagementIndex.TwoWay(30, 10, publishingInUse: false).Score.ShouldBeNull();
    }

    [Fact]
    public async Task SentimentAndResolution_AreScopedToTheAccountToo()
    {
        var a = await ArrangeAsync();
        await using (var scope = factory.ScopeFor(a.Org.Id))
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            var onMastodon = await db.Conversations.Where(c => c.ChannelId == a.Mastodon).ToListAsync();
            onMastodon[0].ResolvedAt = Mid.AddDays(1);
            onMastodon[1].ResolvedAt = Mid.AddDays(1);
            await db.SaveChangesAsync();
        }

        var months = await JuneAsync(a.Org.Id, IndexScope.ForAccount(a.Mastodon, "Mastodon"), IndexScope.ForAccount(a.Bluesky, "Bluesky"));

        months[0].ComponentScore("resolution").ShouldNotBeNull().ShouldBe(100.0 * 2 / 6, 1e-9);
        months[1].ComponentScore("resolution").ShouldBe(0);
        // Fewer than 20 conversations: no overall score for either account, though components are shown.
        months[0].Score.ShouldBeNull();
    }

    [Fact]
    public async Task Reach_IsFollowerGrowthOverTheMonth_PerOrganisationAndAccount()
    {
        var a = await ArrangeAsync();
        await using (var scope = factory.ScopeFor(a.Org.Id))
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            foreach (var channel in new[] { a.Mastodon, a.Bluesky })
            {
                db.ChannelConnections.Add(new ChannelConnection { OrganisationId = a.Org.Id, ChannelId = channel, UpdatedAt = Mid });
            }

            void Read(long channel, ChannelKind kind, DateOnly day, long followers) => db.AccountAudienceSnapshots.Add(new AccountAudienceSnapshot
            {
                OrganisationId = a.Org.Id, ChannelId = channel, Kind = kind, Day = day, Followers = followers, Source = "test", FetchedAt = Mid,
            });
            // Mastodon: 1,000 at the end of May, 1,030 at the end of June (+3 %). Bluesky: 500 on 2 June, 480 on 29 June (−4 %).
            Read(a.Mastodon, ChannelKind.Mastodon, new DateOnly(2026, 5, 31), 1000);
            Read(a.Mastodon, ChannelKind.Mastodon, new DateOnly(2026, 6, 30), 1030);
            Read(a.Bluesky, ChannelKind.Bluesky, new DateOnly(2026, 6, 2), 500);
            Read(a.Bluesky, ChannelKind.Bluesky, new DateOnly(2026, 6, 29), 480);
            await db.SaveChangesAsync();
        }

        var months = await JuneAsync(a.Org.Id, IndexScope.Organisation, IndexScope.ForAccount(a.Mastodon, "Mastodon"), IndexScope.ForAccount(a.Bluesky, "Bluesky"),
            IndexScope.ForTeam(a.Org.Teams["Highways"], "Highways"));

        // Organisation: 1,500 to 1,510 = +0.667 %: 50 + 6.67.
        months[0].ComponentScore("reach").ShouldNotBeNull().ShouldBe(50 + (10 * 100.0 * 10 / 1500), 1e-9);
        months[0].Components.Single(c => c.Component.Key == "reach").Basis.ShouldStartWith("2 account(s): 1,500 to 1,510 followers");
        months[1].ComponentScore("reach").ShouldNotBeNull().ShouldBe(80, 1e-9);
        months[2].ComponentScore("reach").ShouldNotBeNull().ShouldBe(10, 1e-9);
        // No account is the team's in the account register: not measured.
        months[3].ComponentScore("reach").ShouldBeNull();
    }

    [Fact]
    public void Reach_IsLimitedTo0To100()
    {
        static CivicDesk.Web.Platform.AccountMonthFollowers Row(long start, long end) =>
            new(1, ChannelKind.Mastodon, "m", June, start, June, end, June.AddDays(20));

        EngagementIndex.Reach([Row(100, 200)]).Score.ShouldBe(100);
        EngagementIndex.Reach([Row(100, 10)]).Score.ShouldBe(0);
        EngagementIndex.Reach([Row(100, 100)]).Score.ShouldBe(50);
        EngagementIndex.Reach([]).Score.ShouldBeNull();
    }
}
