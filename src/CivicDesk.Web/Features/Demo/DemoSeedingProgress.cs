namespace CivicDesk.Web.Features.Demo;

/// <summary>
/// Told after each committed step of the demo's background seeding (an ingest batch, a chunk of history, the cases),
/// and logs it at Debug. The seam where a test stops the seeding part-way, as a kill -9 would, to prove the next start
/// finishes the job.
/// </summary>
public class DemoSeedingProgress(ILogger<DemoSeedingProgress> logger)
{
    public const string Ingest = "ingest";
    public const string History = "history";
    public const string Cases = "cases";

    public virtual ValueTask CommittedAsync(string step, int number, CancellationToken ct)
    {
        logger.LogDebug("Demo seeding: {Step} {Number} committed", step, number);
        return ValueTask.CompletedTask;
    }
}
