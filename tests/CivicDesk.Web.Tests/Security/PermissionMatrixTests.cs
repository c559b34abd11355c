using System.Net;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Tests.Inbox;
using CivicDesk.Web.Tests.Infrastructure;

namespace CivicDesk.Web.Tests.Security;

/// <summary>One organisation, every role signed in once, shared by the matrix's cells (each cell arranges its own conversation).</summary>
public sealed class MatrixFixture : IAsyncLifetime
{
    private readonly Dictionary<string, HttpClient> _clients = [];

    public CivicDeskFactory Factory { get; } = new();
    public TestOrganisation Org { get; private set; } = null!;

    public HttpClient Client(string role) => _clients[role];

    /// <summary>The live curator's grant (for the /curate form).</summary>
    public long CuratorGrantId { get; private set; }

    public async Task InitializeAsync()
    {
        Org = await TestOrganisation.CreateAsync(Factory);
        foreach (var role in Roles.All)
        {
            _clients[role] = await StaffClient.SignInAsync(Factory, Org, role);
        }

        _clients[PermissionMatrixTests.Anonymous] = StaffClient.Anonymous(Factory);

        // Guest curators: one with a live grant, one whose grant ended after they signed in (every request refused).
        var channels = await Publishing.FakeSocialNetworks.ConnectChannelsAsync(Factory, Org, new Uri("http://127.0.0.1:9/"));
        var now = DateTime.UtcNow;
        var (live, grant) = await Accounts.CuratorTestData.CreateAsync(Factory, Org, channels[ChannelKind.Mastodon], now.AddHours(-1), now.AddDays(1));
        CuratorGrantId = grant;
        _clients[Roles.Curator] = await StaffClient.SignInAsync(Factory, live);
        var (ended, endedGrant) = await Accounts.CuratorTestData.CreateAsync(Factory, Org, channels[ChannelKind.Mastodon], now.AddHours(-1), now.AddDays(1));
        _clients[PermissionMatrixTests.ExpiredCurator] = await StaffClient.SignInAsync(Factory, ended);
        await InboxTestData.WithDbAsync(Factory, Org.Id, db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ExecuteUpdateAsync(
            db.CuratorGrants.Where(g => g.Id == endedGrant), u => u.SetProperty(g => g.EndsAt, DateTime.UtcNow.AddSeconds(-1))));
    }

    public Task DisposeAsync()
    {
        Factory.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>
/// Every staff endpoint × every role (and anonymous), generated from one table: one test per cell.
/// Outcomes: anonymous is sent to sign in; "forbidden" is 403 or the redirect to /account/access-denied (which answers
/// 403) that the cookie handler gives a signed-in page request; "allowed" is 200 or a redirect anywhere else.
/// </summary>
public sealed class PermissionMatrixTests : IClassFixture<MatrixFixture>
{
    public const string Anonymous = "Anonymous";
    /// <summary>A guest curator whose grant has ended: signed in before, refused on every request since.</summary>
    public const string ExpiredCurator = "ExpiredCurator";

    // ---------------------------------------------------------------------------------------------------------------
    // PENDING MERGE: endpoints built on another branch. In the inbox worktree they do not exist yet (404), so these
    // rows fail until that branch is merged; after the merge they must pass unchanged.
    //   /admin/routing  (routing branch)
    // ---------------------------------------------------------------------------------------------------------------
    private static readonly HashSet<string> PendingMerge = [];

    public enum Access
    {
        /// <summary>Any signed-in member of staff.</summary>
        Everyone,
        /// <summary>Policy CaseWorker: everyone but analysts.</summary>
        CaseWorkers,
        /// <summary>Assign to another team: team leads, comms, admins (and contact-centre teams, not in this organisation); not agents or trainees.</summary>
        CrossTeam,
        AdminOnly,
        /// <summary>Policy TeamLead: team leads and admins.</summary>
        TeamLeads,
        /// <summary>Comms and admins (the account register, guest curators).</summary>
        CommsAndAdmins,
        /// <summary>A guest curator with a live grant, and nobody else.</summary>
        CuratorOnly,
    }

    public enum Outcome
    {
        SignIn,
        Forbidden,
        Allowed,
        NotFound,
        Other,
    }

    /// <summary>A staff endpoint. Placeholders: {id} conversation, {cs}/{highways} team ids, {me} the caller's staff id, {failed} a failed reply's outbox id.</summary>
    public sealed record Endpoint(string Name, HttpMethod Method, string Path, Access Access, IReadOnlyDictionary<string, string>? Form = null, bool Htmx = false);

    private static readonly Dictionary<string, string> NoForm = [];

    public static readonly IReadOnlyList<Endpoint> Endpoints =
    [
        new("GET /inbox", HttpMethod.Get, "/inbox", Access.Everyone),
        new("GET /inbox (htmx refresh)", HttpMethod.Get, "/inbox?sort=Newest&urgent=true", Access.Everyone, Htmx: true),
        new("GET /inbox/conversation/{id}", HttpMethod.Get, "/inbox/conversation/{id}", Access.Everyone),
        new("GET /inbox/conversation/{id}?handler=People", HttpMethod.Get, "/inbox/conversation/{id}?handler=People&TeamId={cs}", Access.Everyone, Htmx: true),
        new("POST status", HttpMethod.Post, "/inbox/conversation/{id}?handler=Status", Access.CaseWorkers, new Dictionary<string, string> { ["NewStatus"] = "Resolved" }),
        new("POST status (htmx)", HttpMethod.Post, "/inbox/conversation/{id}?handler=Status", Access.CaseWorkers, new Dictionary<string, string> { ["NewStatus"] = "Closed" }, Htmx: true),
        new("POST priority", HttpMethod.Post, "/inbox/conversation/{id}?handler=Priority", Access.CaseWorkers, new Dictionary<string, string> { ["NewPriority"] = "High" }),
        new("POST assign to self in own team", HttpMethod.Post, "/inbox/conversation/{id}?handler=Assign", Access.CaseWorkers,
            new Dictionary<string, string> { ["TeamId"] = "{cs}", ["StaffId"] = "{me}" }),
        new("POST assign to another team", HttpMethod.Post, "/inbox/conversation/{id}?handler=Assign", Access.CrossTeam,
            new Dictionary<string, string> { ["TeamId"] = "{highways}" }),
        new("POST note", HttpMethod.Post, "/inbox/conversation/{id}?handler=Note", Access.CaseWorkers, new Dictionary<string, string> { ["NoteText"] = "Checked" }),
        new("POST note (htmx)", HttpMethod.Post, "/inbox/conversation/{id}?handler=Note", Access.CaseWorkers, new Dictionary<string, string> { ["NoteText"] = "Checked" }, Htmx: true),
        new("POST reply", HttpMethod.Post, "/inbox/conversation/{id}?handler=Reply", Access.CaseWorkers, new Dictionary<string, string> { ["ReplyText"] = "Thanks" }),
        new("POST retry", HttpMethod.Post, "/inbox/conversation/{id}?handler=Retry", Access.CaseWorkers, new Dictionary<string, string> { ["OutboundId"] = "{failed}" }),
        // Triage label correction (triage branch): the latest inbound message's labels.
        new("POST labels", HttpMethod.Post, "/inbox/conversation/{id}?handler=Labels", Access.CaseWorkers,
            new Dictionary<string, string> { ["labelKind"] = "service_request", ["labelCategory"] = "trees_vegetation", ["labelSentiment"] = "neutral" }),
        new("GET /inbox?needshuman=true", HttpMethod.Get, "/inbox?needshuman=true", Access.Everyone),
        new("GET /account/two-factor", HttpMethod.Get, "/account/two-factor", Access.Everyone),
        new("POST two-factor enable", HttpMethod.Post, "/account/two-factor?handler=Enable", Access.Everyone, new Dictionary<string, string> { ["Code"] = "not-a-code" }),
        new("POST two-factor disable", HttpMethod.Post, "/account/two-factor?handler=Disable", Access.Everyone, NoForm),
        new("GET /admin/routing", HttpMethod.Get, "/admin/routing", Access.AdminOnly),
        new("GET /admin/channels", HttpMethod.Get, "/admin/channels", Access.AdminOnly),
        // Service targets and reply templates (Features/Sla, Features/Templates)
        new("GET /admin/sla", HttpMethod.Get, "/admin/sla", Access.TeamLeads),
        new("POST /admin/sla policy", HttpMethod.Post, "/admin/sla?handler=Policy", Access.TeamLeads, new Dictionary<string, string>
            { ["Policy.TeamId"] = "{cs}", ["Policy.FirstResponseHours"] = "4", ["Policy.ResolutionHours"] = "40" }),
        new("POST /admin/sla calendar", HttpMethod.Post, "/admin/sla?handler=Calendar", Access.AdminOnly, new Dictionary<string, string>
            { ["Calendar.WorkingHours"] = "Mon-Fri 09:00-17:00", ["Calendar.HolidayCalendar"] = "england-and-wales" }),
        new("GET /admin/templates", HttpMethod.Get, "/admin/templates", Access.TeamLeads),
        new("POST /admin/templates save", HttpMethod.Post, "/admin/templates?handler=Save", Access.TeamLeads, new Dictionary<string, string>
            { ["Input.Name"] = "Matrix", ["Input.Body"] = "Your reference is {{reference}}.", ["Input.TeamId"] = "{cs}" }),
        new("GET template picker", HttpMethod.Get, "/inbox/conversation/{id}/templates", Access.CaseWorkers, Htmx: true),
        // Open311 clients and webhooks (issue 5)
        new("GET /admin/open311", HttpMethod.Get, "/admin/open311", Access.AdminOnly),
        new("POST /admin/open311 create client", HttpMethod.Post, "/admin/open311?handler=Create", Access.AdminOnly, new Dictionary<string, string> { ["name"] = "CRM" }),
        new("GET /admin/webhooks", HttpMethod.Get, "/admin/webhooks", Access.AdminOnly),
        new("POST /admin/webhooks create subscription", HttpMethod.Post, "/admin/webhooks?handler=Create", Access.AdminOnly,
            new Dictionary<string, string> { ["url"] = "https://crm.example.org/hook", ["events"] = "case.created" }),
        // Cases ({case}/{case2}: open cases of the caller's team; {candidate}: a duplicate suggestion on {case}; {msg}: a message of {id}).
        new("GET /cases", HttpMethod.Get, "/cases?allStatuses=true&q=matrix", Access.Everyone),
        new("GET /cases/export.csv", HttpMethod.Get, "/cases/export.csv?service=other", Access.Everyone),
        new("GET /cases/export.geojson", HttpMethod.Get, "/cases/export.geojson?overdue=true", Access.Everyone),
        new("GET /cases/{case}", HttpMethod.Get, "/cases/{case}", Access.Everyone),
        new("GET /cases/new", HttpMethod.Get, "/cases/new", Access.CaseWorkers),
        new("POST /cases/new", HttpMethod.Post, "/cases/new", Access.CaseWorkers,
            new Dictionary<string, string> { ["ServiceCode"] = "other", ["Title"] = "Matrix", ["Description"] = "Matrix case" }),
        new("POST /cases/new FromMessages", HttpMethod.Post, "/cases/new?handler=FromMessages", Access.CaseWorkers,
            new Dictionary<string, string> { ["MessageIds"] = "{msg}", ["ConversationId"] = "{id}" }),
        new("POST /cases/new AddMessages", HttpMethod.Post, "/cases/new?handler=AddMessages", Access.CaseWorkers,
            new Dictionary<string, string> { ["MessageIds"] = "{msg}", ["ConversationId"] = "{id}", ["CaseReference"] = "{case}" }),
        new("POST case status", HttpMethod.Post, "/cases/{case}?handler=Status", Access.CaseWorkers,
            new Dictionary<string, string> { ["NewStatus"] = "InProgress", ["Visibility"] = "public", ["UpdateText"] = "On it" }),
        new("POST case update", HttpMethod.Post, "/cases/{case}?handler=Update", Access.CaseWorkers,
            new Dictionary<string, string> { ["UpdateText"] = "Checked", ["Visibility"] = "internal" }),
        new("POST case assign in own team", HttpMethod.Post, "/cases/{case}?handler=Assign", Access.CaseWorkers,
            new Dictionary<string, string> { ["TeamId"] = "{cs}", ["StaffId"] = "{me}" }),
        new("POST case assign to another team", HttpMethod.Post, "/cases/{case}?handler=Assign", Access.CrossTeam,
            new Dictionary<string, string> { ["TeamId"] = "{highways}" }),
        new("POST case priority", HttpMethod.Post, "/cases/{case}?handler=Priority", Access.CaseWorkers, new Dictionary<string, string> { ["NewPriority"] = "High" }),
        new("POST case due", HttpMethod.Post, "/cases/{case}?handler=Due", Access.CaseWorkers, new Dictionary<string, string> { ["DueDate"] = "2030-01-31" }),
        new("POST case merge", HttpMethod.Post, "/cases/{case}?handler=Merge", Access.CaseWorkers, new Dictionary<string, string> { ["SurvivorReference"] = "{case2}" }),
        new("POST case dismiss suggestion", HttpMethod.Post, "/cases/{case}?handler=Dismiss", Access.CaseWorkers, new Dictionary<string, string> { ["CandidateId"] = "{candidate}" }),
        new("POST case find duplicates", HttpMethod.Post, "/cases/{case}?handler=FindDuplicates", Access.CaseWorkers, NoForm),
        // Places (gazetteer)
        new("GET /admin/gazetteer", HttpMethod.Get, "/admin/gazetteer?q=road", Access.AdminOnly),
        new("POST gazetteer import (no file)", HttpMethod.Post, "/admin/gazetteer?handler=Import", Access.AdminOnly, NoForm),
        // Trainee review queue (issue 9): everyone sees the queue (a trainee only their own items); admins name mentors.
        new("GET /review", HttpMethod.Get, "/review", Access.Everyone),
        new("GET /admin/trainees", HttpMethod.Get, "/admin/trainees", Access.AdminOnly),
        new("POST /admin/trainees mentor", HttpMethod.Post, "/admin/trainees?handler=Mentor", Access.AdminOnly,
            new Dictionary<string, string> { ["traineeId"] = "{trainee}", ["mentorId"] = "{mentor}" }),
        // Governance and privacy (issue 12)
        new("POST case public text", HttpMethod.Post, "/cases/{case}?handler=PublicText", Access.CaseWorkers, new Dictionary<string, string> { ["PublishText"] = "yes" }),
        new("GET /admin/retention", HttpMethod.Get, "/admin/retention", Access.AdminOnly),
        new("POST /admin/retention dry run", HttpMethod.Post, "/admin/retention?handler=DryRun", Access.AdminOnly, NoForm),
        new("GET /admin/emergency-advice", HttpMethod.Get, "/admin/emergency-advice", Access.AdminOnly),
        new("POST /admin/emergency-advice", HttpMethod.Post, "/admin/emergency-advice", Access.AdminOnly, new Dictionary<string, string> { ["Advice"] = "If someone is in danger, call 999." }),
        new("POST /admin/retention notice", HttpMethod.Post, "/admin/retention?handler=Notice", Access.AdminOnly,
            new Dictionary<string, string> { ["PrivacyContact"] = "dpo@example.gov.uk", ["IcoRegistration"] = "ZA123456" }),
        new("GET /admin/packs", HttpMethod.Get, "/admin/packs", Access.AdminOnly),
        new("GET /admin/packs export", HttpMethod.Get, "/admin/packs?handler=Export", Access.AdminOnly),
        new("GET /admin/subject-requests", HttpMethod.Get, "/admin/subject-requests", Access.AdminOnly),
        new("POST /admin/subject-requests log", HttpMethod.Post, "/admin/subject-requests", Access.AdminOnly,
            new Dictionary<string, string> { ["Input.Kind"] = "Access", ["Input.RequesterName"] = "Matrix Person", ["Input.Emails"] = "matrix@example.org" }),
        new("POST /admin/packs publish", HttpMethod.Post, "/admin/packs?handler=Publish", Access.AdminOnly, new Dictionary<string, string> { ["name"] = "Matrix pack" }),
        new("GET /admin/accounts", HttpMethod.Get, "/admin/accounts", Access.CommsAndAdmins),
        // Guest curators: owners (comms, admins) grant; a curator has one page and nothing else; an ended grant signs them out.
        new("GET /admin/curators", HttpMethod.Get, "/admin/curators", Access.CommsAndAdmins),
        new("POST /admin/curators grant (invalid)", HttpMethod.Post, "/admin/curators?handler=Grant", Access.CommsAndAdmins, new Dictionary<string, string> { ["Input.Name"] = "" }),
        new("GET /curate", HttpMethod.Get, "/curate", Access.CuratorOnly),
        new("POST /curate", HttpMethod.Post, "/curate", Access.CuratorOnly, new Dictionary<string, string> { ["GrantId"] = "{grant}", ["Text"] = "Matrix post" }),
        // Participation (issue 10): challenges, moderation and crowd-mapping projects are case workers' work.
        new("GET /participation", HttpMethod.Get, "/participation", Access.CaseWorkers),
        new("GET /participation/moderation", HttpMethod.Get, "/participation/moderation", Access.CaseWorkers),
        new("GET /participation/maps", HttpMethod.Get, "/participation/maps", Access.CaseWorkers),
        new("POST /participation/maps create", HttpMethod.Post, "/participation/maps", Access.CaseWorkers,
            new Dictionary<string, string> { ["Input.Title"] = "Matrix ditches", ["Input.Geometry"] = "Line", ["Input.OwnerTeamId"] = "{cs}", ["Input.Colour"] = "#1d70b8" }),
    ];

    public static readonly IReadOnlyList<string> Callers = [.. Roles.All, Roles.Curator, ExpiredCurator, Anonymous];

    public static TheoryData<string, string> Cells()
    {
        var data = new TheoryData<string, string>();
        foreach (var endpoint in Endpoints)
        {
            foreach (var caller in Callers)
            {
                data.Add(endpoint.Name, caller);
            }
        }

        return data;
    }

    public static Outcome Expected(Access access, string caller) => caller is Anonymous or ExpiredCurator ? Outcome.SignIn : caller == Roles.Curator
        ? (access == Access.CuratorOnly ? Outcome.Allowed : Outcome.Forbidden)
        : access switch
    {
        Access.CommsAndAdmins => caller is Roles.Comms or Roles.Admin ? Outcome.Allowed : Outcome.Forbidden,
        Access.CuratorOnly => Outcome.Forbidden,
        Access.Everyone => Outcome.Allowed,
        Access.CaseWorkers => caller == Roles.Analyst ? Outcome.Forbidden : Outcome.Allowed,
        Access.CrossTeam => caller is Roles.Agent or Roles.Analyst or Roles.Trainee ? Outcome.Forbidden : Outcome.Allowed,
        Access.AdminOnly => caller == Roles.Admin ? Outcome.Allowed : Outcome.Forbidden,
        Access.TeamLeads => caller is Roles.TeamLead or Roles.Admin ? Outcome.Allowed : Outcome.Forbidden,
        _ => throw new ArgumentOutOfRangeException(nameof(access)),
    };

    private readonly MatrixFixture _fixture;

    public PermissionMatrixTests(MatrixFixture fixture) => _fixture = fixture;

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task Endpoint_answers_the_caller_as_the_table_says(string endpointName, string caller)
    {
        var endpoint = Endpoints.Single(e => e.Name == endpointName);
        var org = _fixture.Org;
        var client = _fixture.Client(caller);
        var values = new Dictionary<string, string>
        {
            ["{cs}"] = org.Teams["Customer Services"].ToString(),
            ["{highways}"] = org.Teams["Highways"].ToString(),
            ["{me}"] = org.Staff[org.Staff.ContainsKey(caller) ? caller : Roles.Agent].Id,
            ["{grant}"] = _fixture.CuratorGrantId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["{trainee}"] = org.Staff[Roles.Trainee].Id,
            ["{mentor}"] = org.Staff[Roles.TeamLead].Id,
        };
        if (endpoint.Path.Contains("{id}", StringComparison.Ordinal) || endpoint.Form?.Values.Contains("{id}") == true)
        {
            var conversation = await InboxTestData.ConversationAsync(_fixture.Factory, org, "Fallen tree on Park Road");
            values["{id}"] = conversation.Id.ToString();
            values["{failed}"] = (await FailedReplyAsync(conversation)).ToString();
        }

        if (endpoint.Path.Contains("{case", StringComparison.Ordinal) || endpoint.Form?.Values.Any(v => v.Contains("{case", StringComparison.Ordinal) || v == "{msg}") == true)
        {
            await CaseCellAsync(values);
        }

        string Fill(string s) => values.Aggregate(s, (acc, kv) => acc.Replace(kv.Key, kv.Value, StringComparison.Ordinal));
        var path = Fill(endpoint.Path);
        using var request = new HttpRequestMessage(endpoint.Method, path);
        if (endpoint.Method == HttpMethod.Post)
        {
            var token = await StaffClient.AntiforgeryTokenAsync(client, caller is Anonymous or ExpiredCurator ? "/account/sign-in" : caller == Roles.Curator ? "/curate" : "/inbox");
            var form = (endpoint.Form ?? NoForm).ToDictionary(kv => kv.Key, kv => Fill(kv.Value));
            form["__RequestVerificationToken"] = token;
            request.Content = new FormUrlEncodedContent(form);
        }

        if (endpoint.Htmx)
        {
            request.Headers.Add("HX-Request", "true");
        }

        var response = await client.SendAsync(request);
        var outcome = Classify(response);
        var expected = Expected(endpoint.Access, caller);
        var pending = PendingMerge.Contains(endpoint.Name) ? " [PENDING MERGE: built on another branch]" : "";
        outcome.ShouldBe(expected, $"{endpoint.Method} {path} as {caller} answered {(int)response.StatusCode} {response.Headers.Location}{pending}");
    }

    [Fact]
    public void Every_inbox_and_two_factor_handler_is_in_the_table()
    {
        // Guards the table against a new handler being added without a row: reflect over the page models' handlers.
        var handlers = new[] { typeof(Web.Features.Inbox.ConversationModel), typeof(Web.Features.Inbox.IndexModel), typeof(Web.Features.Account.TwoFactorModel) }
            .SelectMany(t => t.GetMethods().Where(m => m.DeclaringType == t && m.Name.StartsWith("On", StringComparison.Ordinal))
                .Select(m => (Page: t.Name, Handler: m.Name.Replace("Async", "", StringComparison.Ordinal))))
            .ToList();
        string[] covered =
        [
            "ConversationModel:OnGet", "ConversationModel:OnGetPeople", "ConversationModel:OnPostStatus", "ConversationModel:OnPostPriority",
            "ConversationModel:OnPostAssign", "ConversationModel:OnPostNote", "ConversationModel:OnPostReply", "ConversationModel:OnPostRetry",
            "ConversationModel:OnPostLabels",
            "IndexModel:OnGet", "TwoFactorModel:OnGet", "TwoFactorModel:OnPostEnable", "TwoFactorModel:OnPostDisable",
        ];
        handlers.Select(h => $"{h.Page}:{h.Handler}").ShouldBe(covered, ignoreOrder: true);
    }

    private static Outcome Classify(HttpResponseMessage response)
    {
        var location = response.Headers.Location?.ToString() ?? "";
        return response.StatusCode switch
        {
            HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther when location.Contains("/account/sign-in", StringComparison.Ordinal) => Outcome.SignIn,
            HttpStatusCode.Redirect or HttpStatusCode.SeeOther when location.Contains("/account/access-denied", StringComparison.Ordinal) => Outcome.Forbidden,
            HttpStatusCode.Forbidden => Outcome.Forbidden,
            HttpStatusCode.NotFound => Outcome.NotFound,
            HttpStatusCode.OK or HttpStatusCode.Redirect or HttpStatusCode.SeeOther => Outcome.Allowed,
            _ => Outcome.Other,
        };
    }

    /// <summary>Cases: two open cases in the callers' team, a duplicate suggestion between them, and a message of {id}.</summary>
    private async Task CaseCellAsync(Dictionary<string, string> values)
    {
        var org = _fixture.Org;
        await Cases.CaseTestData.ServicesAsync(_fixture.Factory, org);
        var a = await Cases.CaseTestData.CaseAsync(_fixture.Factory, org, "Matrix case", Cases.CaseTestData.General);
        var b = await Cases.CaseTestData.CaseAsync(_fixture.Factory, org, "Matrix survivor", Cases.CaseTestData.General);
        values["{case}"] = a.Reference;
        values["{case2}"] = b.Reference;
        values["{candidate}"] = (await InboxTestData.WithDbAsync(_fixture.Factory, org.Id, async db =>
        {
            var row = new CaseDuplicateCandidate { OrganisationId = org.Id, CaseId = a.Id, CandidateCaseId = b.Id, Score = 0.9, Reasons = "test", FoundAt = DateTime.UtcNow };
            db.CaseDuplicateCandidates.Add(row);
            await db.SaveChangesAsync();
            return row.Id;
        })).ToString();
        if (values.TryGetValue("{id}", out var conversationId))
        {
            var id = long.Parse(conversationId, System.Globalization.CultureInfo.InvariantCulture);
            values["{msg}"] = (await InboxTestData.WithDbAsync(_fixture.Factory, org.Id, db =>
                Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.SingleAsync(db.Messages.Where(m => m.ConversationId == id && m.Direction == MessageDirection.Inbound).Select(m => m.Id)))).ToString();
        }
    }

    private async Task<long> FailedReplyAsync(Conversation conversation)
    {
        var org = _fixture.Org;
        return await InboxTestData.WithDbAsync(_fixture.Factory, org.Id, async db =>
        {
            var now = DateTime.UtcNow;
            var message = new Message
            {
                OrganisationId = org.Id, ChannelId = conversation.ChannelId, ConversationId = conversation.Id, Direction = MessageDirection.Outbound,
                ExternalId = "reply-" + Guid.NewGuid().ToString("N"), AuthorHandle = "council", Text = "Earlier reply", CreatedAt = now, ReceivedAt = now,
            };
            db.Messages.Add(message);
            await db.SaveChangesAsync();
            var outbound = new OutboundMessage
            {
                OrganisationId = org.Id, ChannelId = conversation.ChannelId, ConversationId = conversation.Id, MessageId = message.Id,
                Status = OutboundStatus.Failed, Attempts = 1, LastError = "network down", QueuedAt = now, NextAttemptAt = now.AddHours(1),
            };
            db.OutboundMessages.Add(outbound);
            await db.SaveChangesAsync();
            return outbound.Id;
        });
    }
}

public sealed class PermissionMatrixAccessAccessDeniedTests : IClassFixture<CivicDeskFactory>
{
    private readonly CivicDeskFactory _factory;

    public PermissionMatrixAccessAccessDeniedTests(CivicDeskFactory factory) => _factory = factory;

    [Fact]
    public async Task The_access_denied_page_a_forbidden_request_is_sent_to_answers_403()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        var analyst = await StaffClient.SignInAsync(_factory, org, Roles.Analyst);
        var conversation = await InboxTestData.ConversationAsync(_factory, org);
        var response = await InboxTestData.PostAsync(analyst, conversation.Id, "Note", new Dictionary<string, string> { ["NoteText"] = "x" });
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var denied = await analyst.GetAsync(response.Headers.Location);
        denied.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }
}
