using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Dashboards;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Dashboards;

/// <summary>
/// Signed export and import of the monthly index: a round trip between two organisations, re-import replacing the
/// older file, and every refusal (tampered, wrong key, truncated, not JSON, too big, unknown version, unsigned,
/// malformed) storing nothing.
/// </summary>
public sealed class EngagementExchangeTests(BenchmarkFactory factory) : IClassFixture<BenchmarkFactory>
{
    private static List<MonthlyIndex> Months(int count, double baseScore) =>
        Enumerable.Range(0, count).Select(i => new MonthlyIndex(new DateOnly(2026, 1, 1).AddMonths(i), "Whole organisation", baseScore + i,
            EngagementIndex.Components.Select(c => new ComponentScore(c, c.Key == "reach" ? null : baseScore + i + 0.126, "")).ToList(), 40 + i)).ToList();

    private async Task<byte[]> ExportAsync(long organisationId, IReadOnlyList<MonthlyIndex> months)
    {
        await using var scope = factory.ScopeFor(organisationId);
        return await scope.ServiceProvider.GetRequiredService<EngagementExchange>().ExportAsync(months, "Europe/London", CancellationToken.None);
    }

    private async Task<ImportOutcome> ImportAsync(long organisationId, byte[] file)
    {
        await using var scope = factory.ScopeFor(organisationId);
        return await scope.ServiceProvider.GetRequiredService<EngagementExchange>().ImportAsync(file, null, "Analyst", CancellationToken.None);
    }

    private async Task<List<EngagementPeer>> PeersAsync(long organisationId)
    {
        await using var scope = factory.ScopeFor(organisationId);
        return await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().EngagementPeers.Include(p => p.Months).ToListAsync();
    }

    private static ExportPayload Payload(int version = EngagementExchange.Version, string month = "2026-01", double? score = 61.5) =>
        new(version, EngagementIndex.MethodsVersion, "instance-x", new ExportOrganisation("Peer council", "peer"), new DateTime(2026, 12, 1, 9, 0, 0, DateTimeKind.Utc), "Europe/London",
            [new ExportMonth(month, score, 0.9, 120, new Dictionary<string, double?> { ["responsiveness"] = 70, ["reach"] = null })]);

    /// <summary>A correctly signed file for any payload bytes, with a key of the test's own.</summary>
    private static byte[] Signed(byte[] payload, ECDsa? signer = null, ECDsa? embedded = null)
    {
        using var own = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        signer ??= own;
        embedded ??= signer;
        var spki = embedded.ExportSubjectPublicKeyInfo();
        return EngagementExchange.Envelope(payload, Convert.ToBase64String(spki), EngagementExchange.FingerprintOf(spki),
            signer.SignData(payload, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    private static byte[] Edit(byte[] file, Action<JsonObject> change)
    {
        var root = JsonNode.Parse(file)!.AsObject();
        change(root);
        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }

    [Fact]
    public async Task ExportThenImport_RoundTrips_AndShowsTheExportersFingerprint()
    {
        var a = await TestOrganisation.CreateAsync(factory);
        var b = await TestOrganisation.CreateAsync(factory);
        var file = await ExportAsync(a.Id, Months(12, 50));

        var outcome = await ImportAsync(b.Id, file);

        outcome.Error.ShouldBeNull();
        outcome.Replaced.ShouldBeFalse();
        string fingerprint;
        await using (var scope = factory.ScopeFor(a.Id))
        {
            var key = await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().EngagementSigningKeys.SingleAsync();
            fingerprint = key.Fingerprint;
            key.ProtectedPrivateKey.ShouldNotContain(key.PublicKey); // the private half is a Data Protection payload
        }

        var peer = (await PeersAsync(b.Id)).ShouldHaveSingleItem();
        peer.Fingerprint.ShouldBe(fingerprint);
        peer.Name.ShouldBe($"Test council {a.Slug}");
        peer.Slug.ShouldBe(a.Slug);
        peer.MethodsVersion.ShouldBe(EngagementIndex.MethodsVersion);
        peer.Months.Count.ShouldBe(12);
        var march = peer.Months.Single(m => m.Month == new DateOnly(2026, 3, 1));
        march.Score.ShouldBe(52);
        march.Conversations.ShouldBe(42);
        march.Coverage.ShouldBe(0.9, 1e-9);
        EngagementBenchmark.ParseComponents(march.ComponentsJson)["responsiveness"].ShouldBe(52.13); // rounded to 2 places
        EngagementBenchmark.ParseComponents(march.ComponentsJson)["reach"].ShouldBeNull();

        // The file is self-describing: format, version, payload and the signature's key and fingerprint.
        var root = JsonNode.Parse(file)!;
        root["format"]!.GetValue<string>().ShouldBe(EngagementExchange.Format);
        root["signature"]!["fingerprint"]!.GetValue<string>().ShouldBe(fingerprint);
        var payload = JsonNode.Parse(Convert.FromBase64String(root["payload"]!.GetValue<string>()))!;
        payload["organisation"]!["slug"]!.GetValue<string>().ShouldBe(a.Slug);
        payload["instanceId"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace();
        payload["months"]!.AsArray().Count.ShouldBe(12);
    }

    [Fact]
    public async Task AReimportFromTheSameKey_ReplacesTheOlderFile()
    {
        var a = await TestOrganisation.CreateAsync(factory);
        var b = await TestOrganisation.CreateAsync(factory);
        (await ImportAsync(b.Id, await ExportAsync(a.Id, Months(12, 50)))).Error.ShouldBeNull();

        var second = await ImportAsync(b.Id, await ExportAsync(a.Id, Months(3, 80)));

        second.Error.ShouldBeNull();
        second.Replaced.ShouldBeTrue();
        var peer = (await PeersAsync(b.Id)).ShouldHaveSingleItem();
        peer.Months.Count.ShouldBe(3);
        peer.Months.OrderBy(m => m.Month).First().Score.ShouldBe(80);
    }

    [Fact]
    public async Task AnOlderFileFromTheSameKey_DoesNotReplaceANewerOne()
    {
        var a = await TestOrganisation.CreateAsync(factory);
        var b = await TestOrganisation.CreateAsync(factory);
        var older = await ExportAsync(a.Id, Months(2, 10));
        var newer = await ExportAsync(a.Id, Months(4, 20));
        (await ImportAsync(b.Id, newer)).Error.ShouldBeNull();

        var outcome = await ImportAsync(b.Id, older);

        outcome.Error.ShouldNotBeNull().ShouldContain("this one is older");
        (await PeersAsync(b.Id)).Single().Months.Count.ShouldBe(4);
    }

    [Fact]
    public async Task YourOwnFile_IsRefused()
    {
        var a = await TestOrganisation.CreateAsync(factory);

        var outcome = await ImportAsync(a.Id, await ExportAsync(a.Id, Months(2, 10)));

        outcome.Error.ShouldNotBeNull().ShouldContain("your own organisation's file");
        (await PeersAsync(a.Id)).ShouldBeEmpty();
    }

    public static TheoryData<string> Hostile => new()
    {
        "tampered-payload", "tampered-signature", "wrong-key", "fingerprint-of-another-key", "truncated", "not-json", "too-big", "unknown-version",
        "unknown-payload-version", "unsigned", "bad-month", "score-out-of-range", "missing-organisation", "not-base64", "empty", "array", "other-format",
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task EveryBadFile_IsRefusedWithAReason_AndNothingIsStored(string kind)
    {
        var a = await TestOrganisation.CreateAsync(factory);
        var b = await TestOrganisation.CreateAsync(factory);
        var good = await ExportAsync(a.Id, Months(12, 50));
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var payloadOf = (byte[] f) => Convert.FromBase64String(JsonNode.Parse(f)!["payload"]!.GetValue<string>());
        var (file, expected) = kind switch
        {
            // One byte of the signed content changed (a score 50 becomes 90), the signature kept.
            "tampered-payload" => (Edit(good, r => r["payload"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(payloadOf(good)).Replace("\"score\":50,", "\"score\":90,", StringComparison.Ordinal)))),
                "signature does not match"),
            "tampered-signature" => (Edit(good, r =>
            {
                var sig = Convert.FromBase64String(r["signature"]!["value"]!.GetValue<string>());
                sig[10] ^= 0x01;
                r["signature"]!["value"] = Convert.ToBase64String(sig);
            }), "signature does not match"),
            // Signed by another key while claiming the exporter's key and fingerprint.
            "wrong-key" => (Edit(good, r => r["signature"]!["value"] = Convert.ToBase64String(other.SignData(payloadOf(good), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))),
                "signature does not match"),
            "fingerprint-of-another-key" => (Edit(good, r => r["signature"]!["fingerprint"] = EngagementExchange.FingerprintOf(other.ExportSubjectPublicKeyInfo())),
                "fingerprint in the file does not belong"),
            "truncated" => (good[..(good.Length / 2)], "not JSON"),
            "not-json" => ("Date,Score\n2026-01,50\n"u8.ToArray(), "not JSON"),
            "too-big" => (Encoding.UTF8.GetBytes("{\"format\":\"" + new string('x', EngagementExchange.MaxBytes) + "\"}"), "larger than 1 MB"),
            "unknown-version" => (Edit(good, r => r["version"] = 2), "version 2"),
            "unknown-payload-version" => (Signed(EngagementExchange.SerialisePayload(Payload(version: 7))), "version 7"),
            "unsigned" => (Edit(good, r => r.Remove("signature")), "not signed"),
            "bad-month" => (Signed(EngagementExchange.SerialisePayload(Payload(month: "2026-13"))), "is not a month"),
            "score-out-of-range" => (Signed(EngagementExchange.SerialisePayload(Payload(score: 140))), "outside 0–100"),
            "missing-organisation" => (Signed(Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(EngagementExchange.SerialisePayload(Payload()))
                .Replace("\"organisation\":{\"name\":\"Peer council\",\"slug\":\"peer\"},", "", StringComparison.Ordinal))), "not a valid export"),
            "not-base64" => (Edit(good, r => r["payload"] = "%%% not base64 %%%"), "not base64"),
            "empty" => (Array.Empty<byte>(), "empty"),
            "array" => ("[1,2,3]"u8.ToArray(), "expected an object"),
            "other-format" => (Edit(good, r => r["format"] = "something-else"), "not an Engagement Index export"),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        var outcome = await ImportAsync(b.Id, file);

        outcome.Ok.ShouldBeFalse();
        outcome.Error.ShouldNotBeNull().ShouldContain(expected);
        (await PeersAsync(b.Id)).ShouldBeEmpty();
        await using var scope = factory.ScopeFor(b.Id);
        (await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().EngagementPeerMonths.CountAsync()).ShouldBe(0);
    }

    [Fact]
    public void AWellSignedFileFromAnyKey_Verifies()
    {
        var (file, error) = EngagementExchange.Verify(Signed(EngagementExchange.SerialisePayload(Payload())));

        error.ShouldBeNull();
        file.ShouldNotBeNull().Payload.Organisation.Name.ShouldBe("Peer council");
    }
}
