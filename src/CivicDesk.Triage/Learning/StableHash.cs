using System.Runtime.CompilerServices;

namespace CivicDesk.Triage.Learning;

/// <summary>
/// A stable, seeded 32-bit hash for feature hashing: FNV-1a over UTF-16 code units, finished with the murmur3
/// 32-bit finaliser. Unlike <see cref="string.GetHashCode()"/> it gives the same value in every process and on
/// every machine, so a model trained today still finds its features tomorrow.
/// </summary>
/// <remarks>
/// FNV-1a is cheap and can be extended one character at a time, so all the character n-grams that start at one
/// position share their prefix work; its low bits mix poorly, which the finaliser fixes before bucketing.
/// </remarks>
public static class StableHash
{
    private const uint FnvOffset = 2166136261;
    private const uint FnvPrime = 16777619;

    /// <summary>The running state before any character, for a seed.</summary>
    /// <param name="seed">Seed; different seeds give independent hash families.</param>
    /// <returns>The initial running state.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Start(uint seed) => (FnvOffset ^ Finish(seed)) * FnvPrime;

    /// <summary>Adds one UTF-16 code unit to the running state.</summary>
    /// <param name="state">The running state.</param>
    /// <param name="c">The next character.</param>
    /// <returns>The new running state.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Append(uint state, char c) => (state ^ c) * FnvPrime;

    /// <summary>Adds a run of characters to the running state.</summary>
    /// <param name="state">The running state.</param>
    /// <param name="text">The characters.</param>
    /// <returns>The new running state.</returns>
    public static uint Append(uint state, ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            state = (state ^ c) * FnvPrime;
        }

        return state;
    }

    /// <summary>Adds a 32-bit value (for example another hash) to the running state.</summary>
    /// <param name="state">The running state.</param>
    /// <param name="value">The value.</param>
    /// <returns>The new running state.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Combine(uint state, uint value) => ((state ^ value) * FnvPrime) ^ (value >> 16);

    /// <summary>The murmur3 fmix32 finaliser: spreads every input bit over every output bit.</summary>
    /// <param name="h">The running state.</param>
    /// <returns>The finished hash.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Finish(uint h)
    {
        h ^= h >> 16;
        h *= 0x85EBCA6B;
        h ^= h >> 13;
        h *= 0xC2B2AE35;
        h ^= h >> 16;
        return h;
    }

    /// <summary>Hashes a whole string: <c>Finish(Append(Start(seed), text))</c>.</summary>
    /// <param name="text">The text.</param>
    /// <param name="seed">The seed.</param>
    /// <returns>The hash.</returns>
    public static uint Hash(ReadOnlySpan<char> text, uint seed) => Finish(Append(Start(seed), text));
}
