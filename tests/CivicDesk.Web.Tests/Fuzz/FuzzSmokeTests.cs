using CivicDesk.Benchmarks;
using CivicDesk.Web.Tests.Infrastructure;

namespace CivicDesk.Web.Tests.Fuzz;

/// <summary>
/// Issue 14: the fuzzing harness (bench/CivicDesk.Benchmarks/FuzzHarness.cs, compiled in here too) in CI. A fixed
/// number of mutated inputs per parser from a fixed seed, so a run tries the same inputs on every machine and a
/// failure is a parser regression, never luck: any exception that is not the parser's documented bad-input answer,
/// a hang past five seconds, or half a gigabyte allocated for one input. The long, time-bounded runs are
/// `bench fuzz` (results in bench/README.md).
/// </summary>
public sealed class FuzzSmokeTests
{
    private const int InputsPerTarget = 1_500;

    public static TheoryData<string> OwnFormats() => [.. FuzzHarness.OwnFormatTargets().Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(OwnFormats))]
    public void CivicDesks_own_input_formats_answer_every_mutated_input_without_crashing(string name)
    {
        var target = FuzzHarness.OwnFormatTargets().Single(t => t.Name == name);

        AssertNoCrash(FuzzHarness.RunTarget(target, seed: 1, duration: null, inputs: InputsPerTarget));
    }

    public static TheoryData<string> NetworkFormats() => ["rss", "bluesky", "mastodon", "x", "facebook"];

    [SharedDataTheory("payloads")]
    [MemberData(nameof(NetworkFormats))]
    public void The_network_parsers_answer_every_mutated_genuine_payload_without_crashing(string name)
    {
        var target = FuzzHarness.Targets(SharedData.Folder("payloads")).Single(t => t.Name == name);
        target.Seeds.ShouldNotBeEmpty("the genuine payloads are the seeds");

        AssertNoCrash(FuzzHarness.RunTarget(target, seed: 1, duration: null, inputs: InputsPerTarget));
    }

    [Fact]
    public void The_harness_reports_a_crash_a_hang_and_a_memory_bomb_it_is_fed()
    {
        // A parser that fails on purpose, so the smoke tests above could not pass with a harness that saw nothing.
        byte[][] seeds = ["abc"u8.ToArray()];
        var crashing = new FuzzHarness.Target("crashing", seeds, _ => throw new InvalidOperationException("boom"), _ => false);
        var refusing = new FuzzHarness.Target("refusing", seeds, _ => throw new FormatException("bad input"), e => e is FormatException);
        var bomb = new FuzzHarness.Target("bomb", seeds, _ => GC.KeepAlive(new byte[FuzzHarness.MaxBytesPerInput + 1]), _ => false);

        var crashed = FuzzHarness.RunTarget(crashing, 1, null, 20);
        crashed.Tried.ShouldBe(20);
        crashed.Crashes.Keys.ShouldHaveSingleItem().ShouldStartWith("InvalidOperationException");
        FuzzHarness.RunTarget(refusing, 1, null, 20).Crashes.ShouldBeEmpty("the documented bad-input answer is not a crash");
        FuzzHarness.RunTarget(bomb, 1, null, 2).Crashes.Keys.ShouldHaveSingleItem().ShouldContain("MB for one input");

        // A hang: the target stops at the first input that runs past the limit (its thread sleeps on, then ends).
        var slow = new FuzzHarness.Target("slow", seeds, _ => Thread.Sleep(FuzzHarness.PerInputTimeout + TimeSpan.FromSeconds(1)), _ => false);
        var hung = FuzzHarness.RunTarget(slow, 1, null, 5);
        hung.Hung.ShouldBeTrue();
        hung.Tried.ShouldBe(1);
        hung.Crashes.Keys.ShouldHaveSingleItem().ShouldStartWith("hang over");
    }

    private static void AssertNoCrash(FuzzHarness.TargetResult result)
    {
        result.Tried.ShouldBe(InputsPerTarget);
        result.Hung.ShouldBeFalse();
        result.Crashes.ShouldBeEmpty(string.Join("\n", result.Crashes.Select(c => $"{c.Key}: {Convert.ToBase64String(c.Value)}")));
    }
}
