namespace CivicDesk.Web.Features.Ingestion;

/// <summary>Ingest log lines: identifiers and counts only, never citizen text.</summary>
internal static partial class IngestLog
{
    [LoggerMessage(1, LogLevel.Warning, "Ingest stage {Stage} refused a batch of {PostCount} posts for organisation {OrganisationId}, channel {ChannelId}: {Reason}")]
    public static partial void StageRefused(ILogger logger, string stage, int postCount, long organisationId, long channelId, string reason);

    [LoggerMessage(2, LogLevel.Error, "Ingest stage {Stage} failed a batch of {PostCount} posts for organisation {OrganisationId}, channel {ChannelId}")]
    public static partial void StageFailed(ILogger logger, Exception error, string stage, int postCount, long organisationId, long channelId);

    [LoggerMessage(3, LogLevel.Warning, "Triage failed for post {ExternalId} on channel {ChannelId}; it is stored without labels")]
    public static partial void TriageFailed(ILogger logger, Exception error, string externalId, long channelId);

    [LoggerMessage(4, LogLevel.Debug, "Stored {Accepted} new and {Duplicates} known posts from {Submissions} submissions in {ElapsedMs:F1} ms")]
    public static partial void BatchStored(ILogger logger, int accepted, int duplicates, int submissions, double elapsedMs);

    [LoggerMessage(5, LogLevel.Warning, "Ingest transaction of {Submissions} submissions hit a uniqueness clash (attempt {Attempt}); retrying")]
    public static partial void BatchRetried(ILogger logger, int submissions, int attempt);

    [LoggerMessage(6, LogLevel.Warning, "Ingest transaction of {Submissions} submissions failed; retrying each submission on its own")]
    public static partial void BatchSplit(ILogger logger, Exception error, int submissions);

    [LoggerMessage(7, LogLevel.Information, "Ingest API refused a request ({Status}) for channel {ChannelId}: {Problem}")]
    public static partial void RequestRefused(ILogger logger, int status, long? channelId, string problem);
}
