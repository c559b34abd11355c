using System.Runtime.CompilerServices;

namespace CivicDesk.Triage.Learning;

/// <summary>What a token is.</summary>
public enum SocialTokenKind : byte
{
    /// <summary>A word (letters, digits inside a word, internal apostrophes), lower-cased.</summary>
    Word,

    /// <summary>A hashtag, text <c>#tag</c> lower-cased.</summary>
    Hashtag,

    /// <summary>A link, text <c>&lt;url&gt;</c>.</summary>
    Url,

    /// <summary>An @handle, text <c>&lt;user&gt;</c>.</summary>
    User,

    /// <summary>A number, text <c>&lt;num&gt;</c>.</summary>
    Number,

    /// <summary>A text emoticon mapped to a class, e.g. <c>:-)</c> → <c>&lt;smile&gt;</c>.</summary>
    Emoticon,

    /// <summary>One emoji (its code point, without variation selectors or skin tones).</summary>
    Emoji,

    /// <summary><c>!</c>, <c>?</c> or <c>?!</c> (a run of them collapsed).</summary>
    Punctuation,
}

/// <summary>Extra facts about a token.</summary>
[Flags]
public enum SocialTokenFlags : byte
{
    /// <summary>Nothing special.</summary>
    None = 0,

    /// <summary>Written in capitals (two or more letters, none lower-case): SHOUTING.</summary>
    Shouted = 1,

    /// <summary>A letter was repeated three or more times and cut to two ("sooooo" → "soo").</summary>
    Elongated = 2,

    /// <summary>Inside a negation scope ("not good" → good_NEG): after a negator, until punctuation or "but".</summary>
    Negated = 4,

    /// <summary>The token is itself a negator (not, never, don't, ...).</summary>
    Negator = 8,
}

/// <summary>One token: where its normalised text lies in the <see cref="TokenBuffer"/>, its kind and flags.</summary>
/// <param name="Start">Offset of its text in the buffer.</param>
/// <param name="Length">Length of its text.</param>
/// <param name="Kind">Kind.</param>
/// <param name="Flags">Flags.</param>
public readonly record struct SocialToken(int Start, int Length, SocialTokenKind Kind, SocialTokenFlags Flags);

/// <summary>
/// Reusable output of <see cref="SocialTextNormaliser"/>: the tokens of one message and a few counts about it.
/// Reuse one buffer per thread: after it has grown to the largest message seen, normalising allocates nothing.
/// Not thread-safe.
/// </summary>
public sealed class TokenBuffer
{
    private char[] _chars = new char[512];
    private int _charCount;
    private SocialToken[] _tokens = new SocialToken[128];

    /// <summary>Number of tokens.</summary>
    public int Count { get; private set; }

    /// <summary>Length of the original text in UTF-16 code units.</summary>
    public int SourceLength { get; internal set; }

    /// <summary>Number of '!' characters in the text.</summary>
    public int Exclamations { get; internal set; }

    /// <summary>Number of '?' characters in the text.</summary>
    public int Questions { get; internal set; }

    /// <summary>Number of cased letters in words and hashtags.</summary>
    public int Letters { get; internal set; }

    /// <summary>Number of upper-case letters among <see cref="Letters"/>.</summary>
    public int UpperLetters { get; internal set; }

    /// <summary>Scratch space for the sanitised copy of the input (normaliser only).</summary>
    internal char[] Work { get; set; } = new char[512];

    /// <summary>Scratch space for the NFKC form of the input (normaliser only).</summary>
    internal char[] Normalised { get; set; } = new char[512];

    /// <summary>The token at <paramref name="index"/>.</summary>
    /// <param name="index">Index below <see cref="Count"/>.</param>
    public SocialToken this[int index] => (uint)index < (uint)Count ? _tokens[index] : throw new ArgumentOutOfRangeException(nameof(index));

    /// <summary>The normalised text of a token (without the <c>_NEG</c> suffix a negated word carries as a feature).</summary>
    /// <param name="token">A token of this buffer.</param>
    /// <returns>Its text.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<char> TextOf(in SocialToken token) => _chars.AsSpan(token.Start, token.Length);

    /// <summary>The tokens as readable strings, negated words with <c>_NEG</c> (allocates; for tests and explanations).</summary>
    /// <returns>The token strings.</returns>
    public IReadOnlyList<string> ToStrings()
    {
        var list = new List<string>(Count);
        for (var i = 0; i < Count; i++)
        {
            var t = _tokens[i];
            var text = TextOf(t).ToString();
            list.Add((t.Flags & SocialTokenFlags.Negated) != 0 ? text + SocialTextNormaliser.NegationSuffix : text);
        }

        return list;
    }

    internal void Reset(int sourceLength)
    {
        _charCount = 0;
        Count = 0;
        SourceLength = sourceLength;
        Exclamations = 0;
        Questions = 0;
        Letters = 0;
        UpperLetters = 0;
    }

    internal int CharCount => _charCount;

    internal Span<char> Chars => _chars.AsSpan(0, _charCount);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Append(char c)
    {
        if (_charCount == _chars.Length)
        {
            Array.Resize(ref _chars, _chars.Length * 2);
        }

        _chars[_charCount++] = c;
    }

    internal void Append(ReadOnlySpan<char> text)
    {
        if (_charCount + text.Length > _chars.Length)
        {
            Array.Resize(ref _chars, Math.Max(_chars.Length * 2, _charCount + text.Length));
        }

        text.CopyTo(_chars.AsSpan(_charCount));
        _charCount += text.Length;
    }

    /// <summary>Drops characters appended since <paramref name="start"/> (used to replace a word's spelling).</summary>
    internal void Truncate(int start) => _charCount = start;

    internal void AddToken(int start, SocialTokenKind kind, SocialTokenFlags flags)
    {
        if (Count == _tokens.Length)
        {
            Array.Resize(ref _tokens, _tokens.Length * 2);
        }

        _tokens[Count++] = new SocialToken(start, _charCount - start, kind, flags);
    }

    internal void SetFlags(int index, SocialTokenFlags flags) => _tokens[index] = _tokens[index] with { Flags = flags };

    /// <summary>Makes sure the scratch arrays hold at least <paramref name="length"/> characters.</summary>
    internal static char[] Ensure(char[] buffer, int length) => buffer.Length >= length ? buffer : new char[Math.Max(length, buffer.Length * 2)];
}
