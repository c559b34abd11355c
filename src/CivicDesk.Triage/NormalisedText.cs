using System.Globalization;
using System.Text;

namespace CivicDesk.Triage;

/// <summary>One word of a <see cref="NormalisedText"/>: where it lies and whether it opens a sentence.</summary>
/// <param name="Start">Offset of the first character in <see cref="NormalisedText.Text"/>.</param>
/// <param name="Length">Number of characters.</param>
/// <param name="StartsSentence">True for the first word of the text and the first word after ".", "!", "?", ";" or a line break.</param>
public readonly record struct TextToken(int Start, int Length, bool StartsSentence)
{
    /// <summary>Offset just past the last character.</summary>
    public int End => Start + Length;
}

/// <summary>
/// Text prepared for matching: Unicode NFKC (so full-width letters, ligatures and styled "𝐁𝐨𝐥𝐝" letters read as plain
/// ones), typographic apostrophes and dashes folded to ASCII, invisible characters removed, and split into words.
/// <see cref="Text"/> keeps the writer's case for showing evidence; <see cref="Lower"/> has the same length and is
/// what lexicons match against, so one token's offsets serve both.
/// </summary>
public sealed class NormalisedText
{
    /// <summary>Longer input is cut here: triage reads the start of a message, and the cut bounds the work per message.</summary>
    public const int MaxLength = 20_000;

    // One reusable instance per thread for the allocation-free triage path (ModelTriageEngine.Assess): its buffers
    // grow to the longest text seen and are refilled for each message. Never handed out beyond that synchronous call.
    [ThreadStatic]
    private static NormalisedText? t_reusable;

    private readonly TokenList _tokenList;
    private TextToken[] _tokens;
    // Per word: its WordTable hash, and those of the word without its last one and two characters (for plurals).
    private uint[] _hashes;
    private int _count;
    private char[] _lowerBuffer;
    private string? _lower;
    // The normalised text is a string when there is one for free (the message itself, as most need no folding) or once
    // Text has been read; otherwise it lives only in _textBuffer, so the hot path allocates nothing for folded text.
    private string? _text;
    private char[] _textBuffer;
    private char[] _nfkcBuffer;
    private int _length;

    private NormalisedText()
    {
        _text = "";
        _textBuffer = [];
        _nfkcBuffer = [];
        _tokens = [];
        _hashes = [];
        _lowerBuffer = [];
        _tokenList = new TokenList(this);
    }

    /// <summary>The normalised text in its original case.</summary>
    public string Text => _text ??= new string(_textBuffer, 0, _length);

    /// <summary><see cref="Text"/> without making a string of it.</summary>
    internal ReadOnlySpan<char> Chars => _text is { } text ? text.AsSpan() : _textBuffer.AsSpan(0, _length);

    /// <summary>The normalised text in lower case (invariant culture); same length as <see cref="Text"/>. Made on first use.</summary>
    public string Lower => _lower ??= new string(_lowerBuffer, 0, _length);

    /// <summary>The words, in order.</summary>
    public IReadOnlyList<TextToken> Tokens => _tokenList;

    /// <summary>Number of words.</summary>
    public int Count => _count;

    internal TextToken TokenAt(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_count, nameof(index));
        return _tokens[index];
    }

    /// <summary>Word <paramref name="index"/>, lower case, without copying.</summary>
    public ReadOnlySpan<char> Word(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_count, nameof(index));
        return _lowerBuffer.AsSpan(_tokens[index].Start, _tokens[index].Length);
    }

    /// <summary>The <see cref="WordTable{T}"/> hash of word <paramref name="index"/>.</summary>
    internal uint WordHash(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_count, nameof(index));
        return _hashes[index * 3];
    }

    /// <summary>The <see cref="WordTable{T}"/> hash of word <paramref name="index"/> without its last 1 or 2 characters (the word has more).</summary>
    internal uint WordHashWithout(int index, int last)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_count, nameof(index));
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)(last - 1), 1u, nameof(last));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_tokens[index].Length, last, nameof(last));
        return _hashes[(index * 3) + last];
    }

    /// <summary>The text from the start of word <paramref name="first"/> to the end of word <paramref name="last"/>, as written.</summary>
    public string Slice(int first, int last) => SliceSpan(first, last).ToString();

    /// <summary><see cref="Slice"/> without copying.</summary>
    internal ReadOnlySpan<char> SliceSpan(int first, int last) => Chars[_tokens[first].Start.._tokens[last].End];

    /// <summary>True when a sentence boundary lies between word <paramref name="first"/> and word <paramref name="last"/> (inclusive of the latter's start).</summary>
    public bool CrossesSentence(int first, int last)
    {
        for (var i = first + 1; i <= last; i++)
        {
            if (_tokens[i].StartsSentence)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Normalises and tokenises <paramref name="text"/>; null or empty gives an empty text with no words.</summary>
    public static NormalisedText Create(string? text)
    {
        var result = new NormalisedText();
        result.Fill(text);
        return result;
    }

    /// <summary>
    /// This thread's reusable instance, refilled with <paramref name="text"/>: no allocation when the text needs no folding
    /// (the case for most messages) once the buffers have grown. The result is valid until the thread's next call.
    /// </summary>
    internal static NormalisedText Reuse(string? text)
    {
        var reusable = t_reusable ??= new NormalisedText();
        reusable.Fill(text);
        return reusable;
    }

    private void Fill(string? text)
    {
        _lower = null;
        _count = 0;
        _length = 0;
        if (string.IsNullOrEmpty(text))
        {
            _text = "";
            return;
        }

        var cut = text.Length > MaxLength;
        var source = cut ? text.AsSpan(0, CutLength(text)) : text.AsSpan();
        _text = null;
        switch (FoldInto(source))
        {
            case Folded.Unchanged when !cut:
                _text = text;
                break;
            case Folded.Unchanged:
                CopyToTextBuffer(source);
                break;
            case Folded.InBuffer:
                break;
            default:
                // Lone surrogates, or NFKC longer than the buffer allows: the string path, which allocates (rare).
                _text = Fold(cut ? Cut(text) : text);
                break;
        }

        var clean = Chars;
        _length = clean.Length;
        if (_lowerBuffer.Length < clean.Length)
        {
            _lowerBuffer = new char[Math.Max(clean.Length, Math.Min(MaxLength * 2, _lowerBuffer.Length * 2))];
        }

        // Invariant lower-casing maps UTF-16 units one to one, so offsets in Lower are offsets in Text.
        clean.ToLowerInvariant(_lowerBuffer);
        Tokenise(_lowerBuffer.AsSpan(0, clean.Length));
    }

    private enum Folded
    {
        Unchanged,
        InBuffer,
        NeedsString,
    }

    /// <summary>
    /// <see cref="Fold"/> into this instance's buffers: the same characters, without a string. Unchanged when the text
    /// is already folded (plain ASCII without a backtick is checked with one vectorised scan: most messages).
    /// </summary>
    private Folded FoldInto(ReadOnlySpan<char> source)
    {
        if (!source.ContainsAnyExceptInRange('\0', '\u007F') && !source.Contains('`'))
        {
            return Folded.Unchanged;
        }

        if (HasLoneSurrogate(source))
        {
            return Folded.NeedsString;
        }

        var nfkc = source;
        if (!source.IsNormalized(NormalizationForm.FormKC))
        {
            // NFKC can lengthen text ("…" is three dots, a ligature two letters); past twice the length, the string path.
            var room = (source.Length * 2) + 16;
            if (_nfkcBuffer.Length < room)
            {
                _nfkcBuffer = new char[room];
            }

            if (!source.TryNormalize(_nfkcBuffer, out var written, NormalizationForm.FormKC))
            {
                return Folded.NeedsString;
            }

            nfkc = _nfkcBuffer.AsSpan(0, written);
        }

        if (_textBuffer.Length < nfkc.Length)
        {
            _textBuffer = new char[Math.Max(nfkc.Length, _textBuffer.Length * 2)];
        }

        var length = 0;
        var changed = nfkc != source;
        foreach (var c in nfkc)
        {
            var replacement = Replacement(c);
            if (replacement == c)
            {
                _textBuffer[length++] = c;
            }
            else
            {
                changed = true;
                if (replacement != '\0')
                {
                    _textBuffer[length++] = replacement;
                }
            }
        }

        if (!changed)
        {
            return Folded.Unchanged;
        }

        _length = length;
        return Folded.InBuffer;
    }

    private void CopyToTextBuffer(ReadOnlySpan<char> source)
    {
        if (_textBuffer.Length < source.Length)
        {
            _textBuffer = new char[Math.Max(source.Length, _textBuffer.Length * 2)];
        }

        source.CopyTo(_textBuffer);
        _length = source.Length;
    }

    /// <summary>What <see cref="Fold"/> writes for a character: itself, an ASCII stand-in, or '\0' for nothing.</summary>
    private static char Replacement(char c) => c switch
    {
        '\u2018' or '\u2019' or '\u02BC' or '\u2032' or '`' => '\'',
        >= '\u2010' and <= '\u2015' or '\u2212' => '-',
        '\u00AD' or '\u200B' or '\u200C' or '\u200D' or '\u2060' or '\uFEFF' => '\0',
        _ => c,
    };

    private static bool HasLoneSurrogate(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return true;
            }
        }

        return false;
    }

    private static int CutLength(string text) => char.IsHighSurrogate(text[MaxLength - 1]) ? MaxLength - 1 : MaxLength;

    private static string Cut(string text)
    {
        var end = MaxLength;
        if (char.IsHighSurrogate(text[end - 1]))
        {
            end--;
        }

        return text[..end];
    }

    /// <summary>NFKC, then ASCII apostrophes and hyphens, and no invisible characters. Lone surrogates (which NFKC rejects) become U+FFFD.</summary>
    private static string Fold(string text)
    {
        var valid = ReplaceLoneSurrogates(text);
        var nfkc = valid.IsNormalized(NormalizationForm.FormKC) ? valid : valid.Normalize(NormalizationForm.FormKC);
        StringBuilder? sb = null;
        for (var i = 0; i < nfkc.Length; i++)
        {
            var c = nfkc[i];
            char? replacement = c switch
            {
                '\u2018' or '\u2019' or '\u02BC' or '\u2032' or '`' => '\'',
                >= '\u2010' and <= '\u2015' or '\u2212' => '-',
                '\u00AD' or '\u200B' or '\u200C' or '\u200D' or '\u2060' or '\uFEFF' => '\0',
                _ => null,
            };
            if (replacement is null)
            {
                sb?.Append(c);
                continue;
            }

            sb ??= new StringBuilder(nfkc, 0, i, nfkc.Length);
            if (replacement != '\0')
            {
                sb.Append(replacement.Value);
            }
        }

        return sb?.ToString() ?? nfkc;
    }

    private static string ReplaceLoneSurrogates(string text)
    {
        char[]? copy = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                copy ??= text.ToCharArray();
                copy[i] = '\uFFFD';
            }
        }

        return copy is null ? text : new string(copy);
    }

    private void Tokenise(ReadOnlySpan<char> lower)
    {
        var sentenceStart = true;
        var i = 0;
        while (i < lower.Length)
        {
            if (!IsWordChar(lower, i, out var width))
            {
                if (lower[i] is '.' or '!' or '?' or ';' or '\n' or '\r')
                {
                    sentenceStart = true;
                }

                i += width;
                continue;
            }

            var start = i;
            i += width;
            while (i < lower.Length)
            {
                if (IsWordChar(lower, i, out width) || IsMark(lower[i]))
                {
                    i += width;
                }
                else if (lower[i] == '\'' && i + 1 < lower.Length && char.IsLetter(lower[i + 1]))
                {
                    // Keep "isn't" and "council's" whole; a quote after a word ends it.
                    i++;
                }
                else
                {
                    break;
                }
            }

            if (_count == _tokens.Length)
            {
                Array.Resize(ref _tokens, Math.Max(16, _tokens.Length * 2));
                Array.Resize(ref _hashes, _tokens.Length * 3);
            }

            // One pass gives the word's hash and its two shorter prefixes' (the plural forms lexicons try).
            // (A prefix hash is only read for a word longer than the prefix: see WordHashWithout.)
            var word = lower[start..i];
            var state = WordTable<int>.Start();
            foreach (var c in word[..Math.Max(0, word.Length - 2)])
            {
                state = WordTable<int>.Running(state, c);
            }

            var withoutTwo = state;
            if (word.Length >= 2)
            {
                state = WordTable<int>.Running(state, word[^2]);
            }

            var withoutOne = state;
            state = WordTable<int>.Running(state, word[^1]);

            var h = _count * 3;
            (_hashes[h], _hashes[h + 1], _hashes[h + 2]) = (WordTable<int>.Finish(state), WordTable<int>.Finish(withoutOne), WordTable<int>.Finish(withoutTwo));
            _tokens[_count++] = new TextToken(start, i - start, sentenceStart);
            sentenceStart = false;
        }
    }

    private static bool IsWordChar(ReadOnlySpan<char> s, int i, out int width)
    {
        var c = s[i];
        if (char.IsHighSurrogate(c) && i + 1 < s.Length)
        {
            width = 2;
            return Rune.TryCreate(c, s[i + 1], out var rune) && Rune.IsLetterOrDigit(rune);
        }

        width = 1;
        return char.IsLetterOrDigit(c);
    }

    // Combining marks NFKC could not compose stay inside the word they follow.
    // Nothing below U+0300 (the first combining mark) is one, so ASCII punctuation skips the table.
    private static bool IsMark(char c) =>
        c >= '\u0300' && CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark;
}

/// <summary>The live token list of a <see cref="NormalisedText"/> (one per instance, so reading it allocates nothing).</summary>
internal sealed class TokenList(NormalisedText owner) : IReadOnlyList<TextToken>
{
    public TextToken this[int index] => owner.TokenAt(index);

    public int Count => owner.Count;

    public IEnumerator<TextToken> GetEnumerator()
    {
        for (var i = 0; i < owner.Count; i++)
        {
            yield return owner.TokenAt(i);
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
