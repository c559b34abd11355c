using System.Data.Common;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using Dapper;

namespace CivicDesk.Web.Platform;

/// <summary>
/// Appends audit events written set-based (the ingest persist stage, the demo's history, grouped case creates) to
/// their organisations' chains, exactly as <see cref="CivicDeskDb.SaveChangesAsync(bool, CancellationToken)"/> does
/// for tracked ones: each organisation's head read in the caller's transaction, the events sealed in order
/// (<see cref="AuditChain.Seal"/>, payload hash included), then inserted with <see cref="RowInserter"/>. The caller's
/// transaction must hold <see cref="AuditChain.Gate"/>, so no other writer in this process moves a head meanwhile; a
/// writer in another process that does meets the unique (organisation, sequence) index, and the caller retries.
/// </summary>
public static class AuditRows
{
    private static readonly string[] Columns =
    [
        "OrganisationId", "Sequence", "At", "ActorId", "ActorName", "Action", "TargetType", "TargetId", "Before", "After",
        "PayloadHash", "PreviousHash", "Hash",
    ];

    public static async Task AppendAsync(DatabaseProvider provider, DbConnection connection, DbTransaction tx, IReadOnlyList<AuditEvent> events, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            return;
        }

        const string head = """SELECT "Sequence", "Hash" FROM "AuditEvents" WHERE "OrganisationId" = @OrganisationId ORDER BY "Sequence" DESC LIMIT 1""";
        foreach (var organisation in events.GroupBy(e => e.OrganisationId))
        {
            var last = await connection.QueryFirstOrDefaultAsync<Head>(new CommandDefinition(head, new { OrganisationId = organisation.Key }, tx, cancellationToken: ct));
            var (sequence, hash) = last is null ? (0L, AuditChain.Genesis) : (last.Sequence, last.Hash);
            foreach (var e in organisation)
            {
                AuditChain.Seal(e, sequence, hash);
                (sequence, hash) = (e.Sequence, e.Hash);
            }
        }

        var rows = events.Select(e => new object?[]
        {
            e.OrganisationId, e.Sequence, e.At, e.ActorId, e.ActorName, e.Action, e.TargetType, e.TargetId, e.Before, e.After, e.PayloadHash, e.PreviousHash, e.Hash,
        }).ToList();
        await RowInserter.InsertAsync<object>(provider, connection, tx, "AuditEvents", Columns, rows, "", ct);
    }

    private sealed class Head
    {
        public long Sequence { get; set; }
        public string Hash { get; set; } = "";
    }
}
