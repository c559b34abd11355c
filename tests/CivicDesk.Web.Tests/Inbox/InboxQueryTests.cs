using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Inbox;
using CivicDesk.Web.Platform;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Inbox;

/// <summary>
/// The inbox's database work (<see cref="InboxQuery"/>) against a brute-force reading of the same conversations: for
/// every filter, walking the pages gives exactly the matching conversations, each once, in sort order — through the
/// keyset reads and through the in-memory paging of small sets, on whichever database the tests run on. An agent sees
/// their teams' conversations and those assigned to them in other teams (or none), which the query reads as separate
/// parts (<see cref="ConversationAccess.VisibleParts"/>): the "agent" cases check that the parts add up to exactly that.
/// </summary>
public sealed class InboxQueryTests(CivicDeskFactory factory) : IClassFixture<CivicDeskFactory>
{
    private static readonly Priority[] Priorities = [Priority.Low, Priority.Normal, Priority.High, Priority.Urgent];
    private static readonly ConversationStatus[] Statuses = Enum.GetValues<ConversationStatus>();
    private static readonly string[] Kinds = ["complaint", "question", "service_request"];
    private static readonly string[] Categories = ["potholes", "bins", "street_lighting", "noise"];

    private sealed record Fixture(TestOrganisation Org, List<Conversation> All, HashSet<long> NeedsHuman);

    private static Fixture? _fixture;
    private static readonly SemaphoreSlim FixtureLock = new(1, 1);

    /// <summary>One organisation for every case (built once): 230 conversations varied in everything the filters read.</summary>
    private async Task<Fixture> FixtureAsync()
    {
        await FixtureLock.WaitAsync();
        try
        {
            if (_fixture is not null)
            {
                return _fixture;
            }

            var org = await TestOrganisation.CreateAsync(factory);
            await using var scope = factory.ScopeFor(org.Id);
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            var t0 = DateTime.UtcNow.AddDays(-3);
            var teams = org.Teams.Values.ToList();
            var rows = Enumerable.Range(0, 230).Select(i => new Conversation
            {
                OrganisationId = org.Id, ChannelId = i % 9 == 0 ? org.ApiChannelId : org.WebFormChannelId, Reference = References.NewConversationReference(),
                CitizenHandle = "citizen-" + i, Subject = (i % 13 == 0 ? "Pothole on Lansdown Road " : "Bin not collected ") + i,
                Status = Statuses[i * 3 % 5], Priority = Priorities[i * 7 % 4], IsUrgent = i % 11 == 0,
                AssignedTeamId = i % 17 == 0 ? null : teams[i % teams.Count], AssignedStaffId = i % 6 == 0 ? org.Staff[Roles.Agent].Id : null,
                Kind = Kinds[i % 3], Category = i % 10 == 0 ? null : Categories[i % 4],
                // Runs of three conversations share a second: the id breaks the tie.
                CreatedAt = t0.AddSeconds(i / 3 * 60), UpdatedAt = t0, LastMessageAt = t0,
            }).ToList();
            db.Conversations.AddRange(rows);
            await db.SaveChangesAsync();

            // A message waiting for a person in every eighth conversation; the flag comes from the database triggers.
            var needs = rows.Where((_, i) => i % 8 == 0).Select(c => c.Id).ToHashSet();
            db.Messages.AddRange(rows.Select(c => new Message
            {
                OrganisationId = org.Id, ChannelId = c.ChannelId, ConversationId = c.Id, ExternalId = "m-" + c.Id, AuthorHandle = c.CitizenHandle,
                Text = c.Subject, CreatedAt = c.CreatedAt, ReceivedAt = c.CreatedAt, NeedsHumanTriage = needs.Contains(c.Id),
            }));
            await db.SaveChangesAsync();
            return _fixture = new Fixture(org, rows, needs);
        }
        finally
        {
            FixtureLock.Release();
        }
    }

    private static int Rank(Priority p) => p switch { Priority.Urgent => 3, Priority.High => 2, Priority.Normal => 1, _ => 0 };

    private static List<long> Sorted(IEnumerable<Conversation> all, InboxSort sort) => (sort switch
    {
        InboxSort.Newest => all.OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id),
        InboxSort.Oldest => all.OrderBy(c => c.CreatedAt).ThenBy(c => c.Id),
        _ => all.OrderByDescending(c => c.IsUrgent).ThenByDescending(c => Rank(c.Priority)).ThenBy(c => c.CreatedAt).ThenBy(c => c.Id),
    }).Select(c => c.Id).ToList();

    public static TheoryData<string, bool> Cases()
    {
        var data = new TheoryData<string, bool>();
        foreach (var name in new[]
                 {
                     "default", "newest", "oldest", "closed", "resolved and new", "team", "channel", "mine", "kind", "category", "urgent", "urgent newest",
                     "needs a human", "text", "no match", "agent", "agent two teams", "agent newest", "agent closed", "agent urgent", "agent kind",
                     "agent own team", "agent other team", "agent mine", "agent needs a human",
                 })
        {
            data.Add(name, false);
            data.Add(name, true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Each_filter_pages_through_exactly_the_matching_conversations(string name, bool inMemory)
    {
        var f = await FixtureAsync();
        var org = f.Org;
        var open = InboxFilter.OpenStatuses.ToHashSet();
        var agent = org.Staff[Roles.Agent].Id;
        var highways = org.Teams["Highways"];
        var waste = org.Teams["Waste"];
        // The agent is in Highways (and Waste for "two teams"); what is assigned to them personally is all in Customer
        // Services or in no team, so the part "assigned to me outside my teams" is never empty.
        var teamsOfViewer = name == "agent two teams" ? new HashSet<long> { highways, waste } : new HashSet<long> { highways };
        bool Sees(Conversation c) => !name.StartsWith("agent", StringComparison.Ordinal)
                                     || (c.AssignedTeamId is { } t && teamsOfViewer.Contains(t)) || c.AssignedStaffId == agent;
        var (filter, expected) = name switch
        {
            "default" => (new InboxFilter(), f.All.Where(c => open.Contains(c.Status))),
            "newest" => (new InboxFilter { Sort = InboxSort.Newest }, f.All.Where(c => open.Contains(c.Status))),
            "oldest" => (new InboxFilter { Sort = InboxSort.Oldest }, f.All.Where(c => open.Contains(c.Status))),
            "closed" => (new InboxFilter { Status = [ConversationStatus.Closed] }, f.All.Where(c => c.Status == ConversationStatus.Closed)),
            "resolved and new" => (new InboxFilter { Status = [ConversationStatus.Resolved, ConversationStatus.New] },
                f.All.Where(c => c.Status is ConversationStatus.Resolved or ConversationStatus.New)),
            "team" => (new InboxFilter { Team = highways }, f.All.Where(c => open.Contains(c.Status) && c.AssignedTeamId == highways)),
            "channel" => (new InboxFilter { Channel = ChannelKind.Api }, f.All.Where(c => open.Contains(c.Status) && c.ChannelId == org.ApiChannelId)),
            "mine" => (new InboxFilter { Mine = true }, f.All.Where(c => open.Contains(c.Status) && c.AssignedStaffId == agent)),
            "kind" => (new InboxFilter { Kind = "question" }, f.All.Where(c => open.Contains(c.Status) && c.Kind == "question")),
            "category" => (new InboxFilter { Category = "bins" }, f.All.Where(c => open.Contains(c.Status) && c.Category == "bins")),
            "urgent" => (new InboxFilter { Urgent = true }, f.All.Where(c => open.Contains(c.Status) && c.IsUrgent)),
            "urgent newest" => (new InboxFilter { Urgent = true, Sort = InboxSort.Newest }, f.All.Where(c => open.Contains(c.Status) && c.IsUrgent)),
            "needs a human" => (new InboxFilter { NeedsHuman = true }, f.All.Where(c => open.Contains(c.Status) && f.NeedsHuman.Contains(c.Id))),
            "text" => (new InboxFilter { Q = "pothole" }, f.All.Where(c => open.Contains(c.Status) && c.Subject.StartsWith("Pothole", StringComparison.Ordinal))),
            "no match" => (new InboxFilter { Kind = "rumour" }, f.All.Where(_ => false)),
            "agent" or "agent two teams" => (new InboxFilter(), f.All.Where(c => open.Contains(c.Status))),
            "agent newest" => (new InboxFilter { Sort = InboxSort.Newest }, f.All.Where(c => open.Contains(c.Status))),
            "agent closed" => (new InboxFilter { Status = [ConversationStatus.Closed] }, f.All.Where(c => c.Status == ConversationStatus.Closed)),
            "agent urgent" => (new InboxFilter { Urgent = true }, f.All.Where(c => open.Contains(c.Status) && c.IsUrgent)),
            "agent kind" => (new InboxFilter { Kind = "question" }, f.All.Where(c => open.Contains(c.Status) && c.Kind == "question")),
            "agent own team" => (new InboxFilter { Team = highways }, f.All.Where(c => open.Contains(c.Status) && c.AssignedTeamId == highways)),
            "agent other team" => (new InboxFilter { Team = org.Teams["Customer Services"] },
                f.All.Where(c => open.Contains(c.Status) && c.AssignedTeamId == org.Teams["Customer Services"])),
            "agent mine" => (new InboxFilter { Mine = true }, f.All.Where(c => open.Contains(c.Status) && c.AssignedStaffId == agent)),
            "agent needs a human" => (new InboxFilter { NeedsHuman = true }, f.All.Where(c => open.Contains(c.Status) && f.NeedsHuman.Contains(c.Id))),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
        var want = Sorted(expected.Where(Sees), filter.Sort);
        want.Count.ShouldBeGreaterThan(name == "no match" ? -1 : 0, "the fixture must give every case something to find");
        // Outside the "agent" cases the viewer is the agent as an administrator (who sees everything), for "mine" to mean someone.
        var viewer = name.StartsWith("agent", StringComparison.Ordinal)
            ? new StaffViewer(agent, "Agent", new HashSet<string> { Roles.Agent }, teamsOfViewer, false, true)
            : new StaffViewer(agent, "Agent", new HashSet<string> { Roles.Admin }, new HashSet<long>(), false, true);

        var seen = new List<long>();
        var positions = new List<int>();
        InboxView? view = null;
        var pages = 0;
        do
        {
            var pageFilter = Copy(filter);
            pageFilter.After = view?.NextCursor;
            view = await LoadAsync(org, viewer, pageFilter, inMemory);
            view.Total.ShouldBe(want.Count, name);
            view.Rows.Count.ShouldBeLessThanOrEqualTo(InboxFilter.PageSize);
            seen.AddRange(view.Rows.Select(r => r.Id));
            positions.Add(view.Offset);
            (pages++).ShouldBeLessThan(10, "paging must end");
        }
        while (view.NextCursor is not null);

        seen.ShouldBe(want, $"{name}: every matching conversation once, in sort order");
        positions.ShouldBe(Enumerable.Range(0, positions.Count).Select(i => i * InboxFilter.PageSize).ToList());
        if (want.Count > InboxFilter.PageSize)
        {
            // Back from the second page: the first page again.
            var second = Copy(filter);
            second.After = (await LoadAsync(org, viewer, Copy(filter), inMemory)).NextCursor;
            var back = Copy(filter);
            back.Before = (await LoadAsync(org, viewer, second, inMemory)).PreviousCursor;
            (await LoadAsync(org, viewer, back, inMemory)).Rows.Select(r => r.Id).ShouldBe(want.Take(InboxFilter.PageSize));
        }
    }

    public static TheoryData<string, bool> FacetCases()
    {
        var data = new TheoryData<string, bool>();
        foreach (var name in new[] { "admin kind", "admin urgent", "admin channel", "agent", "agent urgent", "agent kind", "agent own team", "agent other team", "agent closed" })
        {
            data.Add(name, false);
            data.Add(name, true);
        }

        return data;
    }

    /// <summary>
    /// The status and team facet counts (each leaves its own filter out), the total and the needs-a-human count, for an
    /// administrator and for a team-scoped agent, against the conversations themselves: through the counts of each
    /// visible part and, for small sets, through the keys held in memory.
    /// </summary>
    [Theory]
    [MemberData(nameof(FacetCases))]
    public async Task Facet_counts_and_needs_a_human_count_match_the_conversations(string name, bool inMemory)
    {
        var f = await FixtureAsync();
        var org = f.Org;
        var agent = org.Staff[Roles.Agent].Id;
        var highways = org.Teams["Highways"];
        var services = org.Teams["Customer Services"];
        var isAgent = name.StartsWith("agent", StringComparison.Ordinal);
        var viewer = isAgent
            ? new StaffViewer(agent, "Agent", new HashSet<string> { Roles.Agent }, new HashSet<long> { highways }, false, true)
            : new StaffViewer(org.Staff[Roles.Admin].Id, "Admin", new HashSet<string> { Roles.Admin }, new HashSet<long>(), false, true);
        bool Sees(Conversation c) => !isAgent || c.AssignedTeamId == highways || c.AssignedStaffId == agent;
        var filter = name switch
        {
            "admin kind" or "agent kind" => new InboxFilter { Kind = "complaint" },
            "admin urgent" or "agent urgent" => new InboxFilter { Urgent = true },
            "admin channel" => new InboxFilter { Channel = ChannelKind.Api },
            "agent own team" => new InboxFilter { Team = highways },
            "agent other team" => new InboxFilter { Team = services },
            "agent closed" => new InboxFilter { Status = [ConversationStatus.Closed] },
            _ => new InboxFilter(),
        };
        // Everything but the status and the team, which the facets leave out in turn.
        bool Rest(Conversation c) => Sees(c) && (filter.Kind is null || c.Kind == filter.Kind) && (!filter.Urgent || c.IsUrgent)
                                     && (filter.Channel is null || c.ChannelId == org.ApiChannelId);
        bool InStatus(Conversation c) => filter.Statuses.Contains(c.Status);
        bool InTeam(Conversation c) => filter.Team is null || c.AssignedTeamId == filter.Team;

        var view = await LoadAsync(org, viewer, filter, inMemory);

        view.Total.ShouldBe(f.All.Count(c => Rest(c) && InStatus(c) && InTeam(c)), "total");
        foreach (var status in Statuses)
        {
            view.StatusCounts[status].ShouldBe(f.All.Count(c => Rest(c) && InTeam(c) && c.Status == status), status.ToString());
        }

        view.TeamCounts.Select(t => t.Id).ShouldBe(org.Teams.Values, ignoreOrder: true);
        foreach (var team in view.TeamCounts)
        {
            team.Count.ShouldBe(f.All.Count(c => Rest(c) && InStatus(c) && c.AssignedTeamId == team.Id), team.Name);
        }

        var open = InboxFilter.OpenStatuses.ToHashSet();
        view.NeedsHumanCount.ShouldBe(f.All.Count(c => Sees(c) && open.Contains(c.Status) && f.NeedsHuman.Contains(c.Id)));
        view.NeedsHumanCount.ShouldBeGreaterThan(0);
        // Not a vacuous check: the agent's counts include conversations assigned to them outside their team.
        if (isAgent && filter.Team is null)
        {
            view.TeamCounts.Single(t => t.Id == services).Count.ShouldBe(f.All.Count(c => Rest(c) && InStatus(c) && c.AssignedTeamId == services && c.AssignedStaffId == agent));
        }
    }

    private async Task<InboxView> LoadAsync(TestOrganisation org, StaffViewer viewer, InboxFilter filter, bool inMemory)
    {
        await using var scope = factory.ScopeFor(org.Id);
        var query = scope.ServiceProvider.GetRequiredService<InboxQuery>();
        query.InMemoryUpTo = inMemory ? InboxFilter.CountCap : -1;
        return await query.LoadAsync(viewer, filter, DateTime.UtcNow, [], CancellationToken.None);
    }

    private static InboxFilter Copy(InboxFilter f) => new()
    {
        Status = f.Status, Q = f.Q, Team = f.Team, Channel = f.Channel, Kind = f.Kind, Category = f.Category, Sentiment = f.Sentiment, Search = f.Search,
        Age = f.Age, Mine = f.Mine, Urgent = f.Urgent, Mentions = f.Mentions, Overdue = f.Overdue, NeedsHuman = f.NeedsHuman, Sort = f.Sort,
    };
}
