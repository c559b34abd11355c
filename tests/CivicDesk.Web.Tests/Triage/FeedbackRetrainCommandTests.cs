using CivicDesk.Cli;
using CivicDesk.Triage;
using CivicDesk.Triage.Learning;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Triage;
using CivicDesk.Web.Tests.Inbox;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Triage;

/// <summary>civicdesk triage train --organisation … --with-feedback and triage rollback against a real database, on small fixed train/dev slices.</summary>
public sealed class FeedbackRetrainCommandTests(CivicDeskFactory factory) : IClassFixture<CivicDeskFactory>, IDisposable
{
    private readonly string _slices = Path.Combine(Path.GetTempPath(), "civicdesk-slices-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_slices))
        {
            Directory.Delete(_slices, recursive: true);
        }
    }

    private Dictionary<string, string?> Settings => new()
    {
        ["CIVICDESK_DATA_DIR"] = factory.DataDirectory,
        ["Database:Provider"] = CivicDeskFactory.Provider.ToString(),
        ["Database:ConnectionString"] = factory.ConnectionString,
        ["CIVICDESK_DEMO_API_KEY"] = "",
    };

    /// <summary>The first rows of the real train and dev splits (never test) in a data folder of their own.</summary>
    private string Slices(string task, int trainRows, int devRows)
    {
        var data = SharedData.Root ?? throw new DirectoryNotFoundException(SharedData.MissingReason(task));
        Directory.CreateDirectory(Path.Combine(_slices, task));
        File.WriteAllLines(Path.Combine(_slices, task, "train.jsonl"), File.ReadLines(TriageData.SplitPath(data, task, "train")).Take(trainRows));
        File.WriteAllLines(Path.Combine(_slices, task, "dev.jsonl"), File.ReadLines(TriageData.SplitPath(data, task, "dev")).Take(devRows));
        return _slices;
    }

    [SharedDataFact("service_requests_fms")]
    public async Task Retrain_with_feedback_stores_a_version_activates_only_if_dev_is_not_worse_and_rollback_has_nothing_to_undo()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var conversation = await InboxTestData.ConversationAsync(factory, org, "Big hole in the tarmac on Dog Lane, cars swerving round it");
        await using (var scope = factory.ScopeFor(org.Id))
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            var message = await db.Messages.SingleAsync(m => m.ConversationId == conversation.Id);
            db.TriageFeedback.Add(new TriageFeedback
            {
                OrganisationId = org.Id, MessageId = message.Id, Task = "category", OldValue = message.Category, NewValue = "highways_road_surface",
                StaffId = org.Staff[Roles.Agent].Id, StaffName = "Agent", At = DateTime.UtcNow,
            });
            db.TriageFeedback.Add(new TriageFeedback
            {
                OrganisationId = org.Id, MessageId = message.Id, Task = "urgent", OldValue = "false", NewValue = "true",
                StaffId = org.Staff[Roles.Agent].Id, StaffName = "Agent", At = DateTime.UtcNow,
            });
            await db.SaveChangesAsync();
        }

        var data = Slices(TriageTasks.ServiceRequests.Name, trainRows: 300, devRows: 150);
        using var output = new StringWriter();
        (await FeedbackCommands.RetrainAsync(Settings, org.Slug, TriageTasks.ServiceRequests.Name, data, null, false, output, default)).ShouldBe(0, output.ToString());

        var text = output.ToString();
        text.ShouldContain("2 corrections");
        text.ShouldContain("service_requests_fms 1");
        text.ShouldContain("dev AccuracyAndMacroF1 before");
        var registry = ModelRegistry.Open(TriageEngines.OrganisationFolder(factory.DataDirectory, org.Slug));
        var version = registry.Tasks[TriageTasks.ServiceRequests.Name].Versions.Single();
        version.FeedbackRows.ShouldBe(1);
        File.Exists(Path.Combine(registry.Folder, TriageTasks.ServiceRequests.Name, "v1.cdtm")).ShouldBeTrue();
        // 300 train rows cannot beat the shipped model (10,488 rows) on dev: kept, not activated, and the app stays on the base models.
        version.Activated.ShouldBe(version.DevAfter >= version.DevBefore);
        version.Activated.ShouldBeFalse(text);
        text.ShouldContain("kept inactive");
        var engines = factory.Services.GetRequiredService<TriageEngines>();
        engines.Invalidate(org.Id);
        (await engines.ForAsync(org.Id, default)).ShouldBeSameAs(engines.Base);

        using var rollback = new StringWriter();
        (await FeedbackCommands.RollbackAsync(Settings, org.Slug, TriageTasks.ServiceRequests.Name, rollback, default)).ShouldBe(1);
        rollback.ToString().ShouldContain("nothing to roll back");
    }

    [Fact]
    public async Task The_app_uses_an_organisations_active_version_and_returns_to_the_base_model_after_rollback()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var engines = factory.Services.GetRequiredService<TriageEngines>();
        var baseEngine = engines.Base.ShouldBeOfType<ModelTriageEngine>();
        var registry = ModelRegistry.Open(TriageEngines.OrganisationFolder(factory.DataDirectory, org.Slug));
        registry.Add(baseEngine.Models.Find(TriageTasks.Sentiment.Name)!, 4, "MacroRecall", 0.6, 0.61, activate: true, "2026-11-22T01:00:00Z");

        engines.Invalidate(org.Id);
        var engine = (await engines.ForAsync(org.Id, default)).ShouldBeOfType<ModelTriageEngine>();
        engine.Version.ShouldContain("sentiment v1");
        engine.Models.Models.Count.ShouldBe(baseEngine.Models.Models.Count);
        engine.Triage(new TriageInput("Thank you so much, brilliant service")).Sentiment.Value.ShouldBe("positive");

        using var rollback = new StringWriter();
        (await FeedbackCommands.RollbackAsync(Settings, org.Slug, TriageTasks.Sentiment.Name, rollback, default)).ShouldBe(0);
        rollback.ToString().ShouldContain("now using the base model");
        engines.Invalidate(org.Id);
        (await engines.ForAsync(org.Id, default)).ShouldBeSameAs(engines.Base);
    }
}
