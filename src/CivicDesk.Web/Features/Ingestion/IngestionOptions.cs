using System.ComponentModel.DataAnnotations;
using CivicDesk.Web.Domain;

namespace CivicDesk.Web.Features.Ingestion;

/// <summary>Limits and sizes of the ingest pipeline and of <c>POST /api/v1/messages</c> (section <c>Ingestion</c>).</summary>
public sealed class IngestionOptions
{
    public const string Section = "Ingestion";

    /// <summary>
    /// Submitted batches each of the two queues (to prepare, to persist) holds before submitters wait (back-pressure).
    /// Memory is bounded by about (2 × QueueCapacity + PrepareWorkers + 1) × MaxBatchMessages posts.
    /// </summary>
    [Range(1, 10_000)] public int QueueCapacity { get; set; } = 8;

    /// <summary>Parallel prepare workers (check, clean, triage, place, route); default one per core.</summary>
    [Range(1, 256)] public int? PrepareWorkers { get; set; }

    /// <summary>
    /// Messages the persist stage aims to write in one transaction, coalescing small submissions. A submission is
    /// never split, so one larger than this is written alone.
    /// </summary>
    [Range(1, 10_000)] public int BatchSize { get; set; } = 1_000;

    /// <summary>
    /// SQLite: the page cache of the persist writer's own connection, in MB (other connections keep SQLite's 2 MB).
    /// A batch's messages go to conversations all over the table and its indexes, and with 2 MB most of the pages a
    /// batch touches were read again each time (sqlite3 on 100,000 messages: 29 → 21 µs of CPU to insert a message
    /// and 27 → 15 µs to update its conversation with 32 MB). It costs far more memory than its size: over 1,000,000
    /// messages 2 → 8 MB cut the writer's time 97 → 90 s but raised the peak working set 515 → 565 MB (not yet
    /// explained), hence the modest default (bench/README.md, session 17).
    /// </summary>
    [Range(2, 1_024)] public int SqliteWriterCacheMegabytes { get; set; } = 8;

    /// <summary>Most messages one submission (one API request) may carry; more is refused with 413.</summary>
    [Range(1, 10_000)] public int MaxBatchMessages { get; set; } = 1_000;

    /// <summary>Longest message text, in UTF-16 code units; the database column holds at most <see cref="Message.MaxTextLength"/>.</summary>
    [Range(1, Message.MaxTextLength)] public int MaxTextLength { get; set; } = Message.MaxTextLength;

    /// <summary>Largest request body <c>POST /api/v1/messages</c> reads; a longer body is refused with 413 while it is read.</summary>
    [Range(1_024, 64 * 1024 * 1024)] public int MaxRequestBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Most attachments one message may list.</summary>
    [Range(0, 100)] public int MaxAttachments { get; set; } = 10;

    /// <summary>How long a channel found by its API key is remembered (deactivating a channel takes this long to bite).</summary>
    [Range(0, 3_600)] public int ApiKeyCacheSeconds { get; set; } = 30;
}
