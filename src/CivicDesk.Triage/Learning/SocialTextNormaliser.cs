using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace CivicDesk.Triage.Learning;

/// <summary>
/// Turns social-media or web-form text into tokens for the learned classifiers:
/// HTML entities decoded, lone surrogates replaced, Unicode NFKC, curly quotes straightened, lower-cased (with
/// SHOUTING kept as a token flag), links, @handles, numbers, emoticons, emoji, hashtags and !/? runs as tokens,
/// elongations cut to two letters ("sooooo" → "soo", flagged), negation scope marked ("not good" → good_NEG until
/// punctuation or "but") and US spellings folded to UK ones (color → colour, organize → organise, center → centre).
/// </summary>
/// <remarks>
/// Allocation-free after warm-up: the work happens in the caller's <see cref="TokenBuffer"/>, and the spelling and
/// negator tables are looked up by span. Pure-ASCII text (most posts) skips the NFKC step, which cannot change it.
/// </remarks>
public static class SocialTextNormaliser
{
    /// <summary>Suffix of a word inside a negation scope, as a feature: good → good_NEG.</summary>
    public const string NegationSuffix = "_NEG";

    /// <summary>Words longer than this are cut: very long "words" are noise (pasted hashes, keyboard mashing).</summary>
    public const int MaxTokenLength = 48;

    /// <summary>Normalises and tokenises <paramref name="text"/> into <paramref name="tokens"/> (cleared first).</summary>
    /// <param name="text">Any text, including invalid UTF-16.</param>
    /// <param name="tokens">The reusable output buffer.</param>
    public static void Normalise(ReadOnlySpan<char> text, TokenBuffer tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        tokens.Reset(text.Length);
        if (text.IsEmpty)
        {
            return;
        }

        var clean = Prepare(text, tokens);
        Tokenise(clean, tokens);
    }

    /// <summary>Tokenises a string into readable tokens (allocates; for tests, tools and explanations).</summary>
    /// <param name="text">The text.</param>
    /// <returns>The token texts, negated words with <see cref="NegationSuffix"/>.</returns>
    public static IReadOnlyList<string> Tokenise(string? text)
    {
        var buffer = new TokenBuffer();
        Normalise(text, buffer);
        return buffer.ToStrings();
    }

    /// <summary>
    /// Copies the text into scratch space decoding the HTML entities tweets carry (&amp;amp; &amp;lt; &amp;gt; &amp;quot;),
    /// straightening quotes, replacing lone surrogates by U+FFFD, then applies NFKC when the text is not ASCII.
    /// </summary>
    private static ReadOnlySpan<char> Prepare(ReadOnlySpan<char> text, TokenBuffer tokens)
    {
        var work = tokens.Work = TokenBuffer.Ensure(tokens.Work, text.Length);
        var w = 0;
        var inert = true;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c < 0x80)
            {
                if (c == '&' && TryDecodeEntity(text[i..], out var decoded, out var consumed))
                {
                    work[w++] = decoded;
                    i += consumed - 1;
                    continue;
                }

                work[w++] = c;
                continue;
            }

            if (char.IsHighSurrogate(c))
            {
                if (i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                {
                    inert &= char.ConvertToUtf32(c, text[i + 1]) is >= 0x1F300 and <= 0x1FAFF;
                    work[w++] = c;
                    work[w++] = text[++i];
                }
                else
                {
                    work[w++] = '\uFFFD';
                }

                continue;
            }

            c = c switch
            {
                _ when char.IsLowSurrogate(c) => '\uFFFD',
                '\u2018' or '\u2019' or '\u02BC' or '\u2032' or '\u00B4' => '\'',
                '\u201C' or '\u201D' or '\u201E' => '"',
                // NFKC gives spaces for these, and "..." for the ellipsis that ends every truncated tweet; doing it
                // here keeps such posts off ICU, which allocates. One '.' tokenises exactly like "..." (no token, ends
                // a negation scope) except between digits, where "3…4" becomes one number instead of two.
                '\u00A0' or (>= '\u2000' and <= '\u200A') or '\u202F' or '\u205F' or '\u3000' => ' ',
                '\u2026' => '.',
                _ => c,
            };
            inert &= IsNfkcInert(c);
            work[w++] = c;
        }

        ReadOnlySpan<char> clean = work.AsSpan(0, w);
        if (inert)
        {
            return clean;
        }

        try
        {
            if (clean.IsNormalized(NormalizationForm.FormKC))
            {
                return clean;
            }

            var normalised = tokens.Normalised = TokenBuffer.Ensure(tokens.Normalised, (clean.Length * 2) + 16);
            if (!clean.TryNormalize(normalised, out var written, NormalizationForm.FormKC))
            {
                normalised = tokens.Normalised = TokenBuffer.Ensure(tokens.Normalised, clean.GetNormalizedLength(NormalizationForm.FormKC));
                if (!clean.TryNormalize(normalised, out written, NormalizationForm.FormKC))
                {
                    return clean;
                }
            }

            return normalised.AsSpan(0, written);
        }
        catch (ArgumentException)
        {
            // Unassigned or otherwise unnormalisable code points: tokenise the text as it is.
            return clean;
        }
    }

    /// <summary>
    /// Characters NFKC leaves alone whatever surrounds them (NFKC_QC = Yes and canonical combining class 0, checked
    /// against the Unicode tables), so text made only of these skips ICU: its span normalisation allocates ~100 bytes
    /// a call. Deliberately small: Latin-1 and Latin Extended-A letters, common punctuation, dingbats and the BMP
    /// emoji blocks. Anything else (other scripts, combining marks, compatibility characters) takes the full path.
    /// </summary>
    private static bool IsNfkcInert(char c) => c switch
    {
        < '\u0080' => true,
        >= '\u00C0' and <= '\u017F' => c is not ('\u0132' or '\u0133' or '\u013F' or '\u0140' or '\u0149' or '\u017F'),
        '\u00A1' or '\u00A3' or '\u00A5' or '\u00A7' or '\u00A9' or '\u00AB' or '\u00AE' or '\u00B0' or '\u00B1' or '\u00B6'
            or '\u00B7' or '\u00BB' or '\u00BF' or '\u2013' or '\u2014' or '\u2022' or '\u20AC' or '\uFFFD' => true,
        '\u200B' or '\u200C' or '\u200D' or '\u200E' or '\u200F' or '\uFE0F' or '\uFE0E' => true,
        >= '\u2600' and <= '\u27BF' => true,
        _ => false,
    };

    private static bool TryDecodeEntity(ReadOnlySpan<char> s, out char decoded, out int consumed)
    {
        (decoded, consumed) = s switch
        {
            _ when s.StartsWith("&amp;", StringComparison.Ordinal) => ('&', 5),
            _ when s.StartsWith("&lt;", StringComparison.Ordinal) => ('<', 4),
            _ when s.StartsWith("&gt;", StringComparison.Ordinal) => ('>', 4),
            _ when s.StartsWith("&quot;", StringComparison.Ordinal) => ('"', 6),
            _ when s.StartsWith("&#39;", StringComparison.Ordinal) => ('\'', 5),
            _ when s.StartsWith("&apos;", StringComparison.Ordinal) => ('\'', 6),
            _ => ('&', 0),
        };
        return consumed > 0;
    }

    private static void Tokenise(ReadOnlySpan<char> s, TokenBuffer tokens)
    {
        var negating = false;
        var i = 0;
        while (i < s.Length)
        {
            var c = s[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            var leftBoundary = i == 0 || !char.IsLetterOrDigit(s[i - 1]);
            if (leftBoundary && c is 'h' or 'H' or 'w' or 'W' or 'p' or 'P' && IsUrlStart(s[i..], out _))
            {
                var end = i;
                while (end < s.Length && !char.IsWhiteSpace(s[end]))
                {
                    end++;
                }

                AddSpecial(tokens, "<url>", SocialTokenKind.Url);
                i = end;
                continue;
            }

            if (Emoticons.TryMatch(s, i, leftBoundary, out var emoticon, out var emoticonLength))
            {
                AddSpecial(tokens, emoticon, SocialTokenKind.Emoticon);
                i += emoticonLength;
                continue;
            }

            if (c == '@' && leftBoundary && i + 1 < s.Length && IsHandleChar(s[i + 1]))
            {
                i++;
                while (i < s.Length && IsHandleChar(s[i]))
                {
                    i++;
                }

                AddSpecial(tokens, "<user>", SocialTokenKind.User);
                continue;
            }

            if (c == '#' && i + 1 < s.Length && IsWordStart(s, i + 1))
            {
                i = ReadWord(s, i + 1, tokens, SocialTokenKind.Hashtag, ref negating);
                continue;
            }

            if (char.IsDigit(c))
            {
                i++;
                while (i < s.Length && (char.IsDigit(s[i]) || (s[i] is '.' or ',' or ':' or '/' && i + 1 < s.Length && char.IsDigit(s[i + 1]))))
                {
                    i++;
                }

                AddSpecial(tokens, "<num>", SocialTokenKind.Number);
                continue;
            }

            if (IsWordStart(s, i))
            {
                i = ReadWord(s, i, tokens, SocialTokenKind.Word, ref negating);
                continue;
            }

            var emojiLength = EmojiLength(s, i);
            if (emojiLength > 0)
            {
                var start = tokens.CharCount;
                tokens.Append(s.Slice(i, emojiLength));
                tokens.AddToken(start, SocialTokenKind.Emoji, SocialTokenFlags.None);
                i += emojiLength;
                while (i < s.Length && IsEmojiModifier(s, i, out var modifierLength))
                {
                    i += modifierLength;
                }

                continue;
            }

            if (c is '!' or '?')
            {
                bool bang = false, question = false;
                while (i < s.Length && s[i] is '!' or '?')
                {
                    if (s[i] == '!')
                    {
                        bang = true;
                        tokens.Exclamations++;
                    }
                    else
                    {
                        question = true;
                        tokens.Questions++;
                    }

                    i++;
                }

                AddSpecial(tokens, bang && question ? "?!" : bang ? "!" : "?", SocialTokenKind.Punctuation);
                negating = false;
                continue;
            }

            if (c is '.' or ',' or ';' or ':')
            {
                negating = false;
            }

            i++;
        }
    }

    /// <summary>Reads a word (or a hashtag body) starting at <paramref name="i"/> and returns the index after it.</summary>
    private static int ReadWord(ReadOnlySpan<char> s, int i, TokenBuffer tokens, SocialTokenKind kind, ref bool negating)
    {
        var start = tokens.CharCount;
        if (kind == SocialTokenKind.Hashtag)
        {
            tokens.Append('#');
        }

        var bodyStart = tokens.CharCount;
        int upper = 0, lower = 0, written = 0;
        var elongated = false;
        char last = '\0', beforeLast = '\0';
        while (i < s.Length)
        {
            var c = s[i];
            if (char.IsAsciiLetter(c))
            {
                // The common case, without Unicode tables: ASCII letters lower-case by setting bit 5.
                var lcAscii = (char)(c | 0x20);
                if (c != lcAscii)
                {
                    upper++;
                }
                else
                {
                    lower++;
                }

                if (lcAscii == last && lcAscii == beforeLast)
                {
                    elongated = true;
                }
                else
                {
                    if (written < MaxTokenLength)
                    {
                        tokens.Append(lcAscii);
                        written++;
                    }

                    beforeLast = last;
                    last = lcAscii;
                }

                i++;
                continue;
            }

            if (char.IsHighSurrogate(c))
            {
                if (i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]) && Rune.IsLetter(new Rune(c, s[i + 1])) && !IsEmojiCodePoint(char.ConvertToUtf32(c, s[i + 1])))
                {
                    if (written + 2 <= MaxTokenLength)
                    {
                        tokens.Append(c);
                        tokens.Append(s[i + 1]);
                        written += 2;
                    }

                    i += 2;
                    continue;
                }

                break;
            }

            if (IsWordChar(c) || (kind == SocialTokenKind.Hashtag && c == '_'))
            {
                // counted below
            }
            else if (c == '\'' && written > 0 && i + 1 < s.Length && char.IsLetter(s[i + 1]))
            {
                // internal apostrophe: don't, o'clock
            }
            else if (c != '\u200D' && CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format)
            {
                // bidi marks, zero-width non-joiner, soft hyphen: invisible, they do not end a word
                i++;
                continue;
            }
            else
            {
                break;
            }

            if (char.IsUpper(c))
            {
                upper++;
            }
            else if (char.IsLower(c))
            {
                lower++;
            }

            var lc = char.ToLowerInvariant(c);
            if (lc == last && lc == beforeLast && char.IsLetter(lc))
            {
                elongated = true;
                i++;
                continue;
            }

            if (written < MaxTokenLength)
            {
                tokens.Append(lc);
                written++;
            }

            beforeLast = last;
            last = lc;
            i++;
        }

        tokens.Letters += upper + lower;
        tokens.UpperLetters += upper;
        var flags = SocialTokenFlags.None;
        if (upper >= 2 && lower == 0)
        {
            flags |= SocialTokenFlags.Shouted;
        }

        if (elongated)
        {
            flags |= SocialTokenFlags.Elongated;
        }

        if (kind == SocialTokenKind.Word)
        {
            var body = tokens.Chars[bodyStart..];
            var role = WordLexicon.Lookup(body, out var uk);
            if (uk is not null)
            {
                tokens.Truncate(bodyStart);
                tokens.Append(uk);
            }

            if (role == WordRole.Negator)
            {
                flags |= SocialTokenFlags.Negator;
                negating = true;
            }
            else if (role == WordRole.ScopeEnd)
            {
                negating = false;
            }
            else if (negating)
            {
                flags |= SocialTokenFlags.Negated;
            }
        }

        tokens.AddToken(start, kind, flags);
        return i;
    }

    private static void AddSpecial(TokenBuffer tokens, string text, SocialTokenKind kind)
    {
        var start = tokens.CharCount;
        tokens.Append(text);
        tokens.AddToken(start, kind, SocialTokenFlags.None);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsWordChar(char c)
    {
        if (c < 0x80)
        {
            return char.IsAsciiLetterOrDigit(c);
        }

        if (char.IsSurrogate(c))
        {
            return false;
        }

        var category = CharUnicodeInfo.GetUnicodeCategory(c);
        return category is <= UnicodeCategory.OtherLetter or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark
            or UnicodeCategory.EnclosingMark or UnicodeCategory.DecimalDigitNumber;
    }

    private static bool IsWordStart(ReadOnlySpan<char> s, int i)
    {
        var c = s[i];
        if (char.IsHighSurrogate(c))
        {
            return i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]) && Rune.IsLetter(new Rune(c, s[i + 1]))
                   && !IsEmojiCodePoint(char.ConvertToUtf32(c, s[i + 1]));
        }

        return char.IsLetter(c) || (c >= 0x80 && IsWordChar(c) && !char.IsDigit(c));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsHandleChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    private static bool IsUrlStart(ReadOnlySpan<char> s, out int prefixLength)
    {
        prefixLength = s switch
        {
            _ when s.StartsWith("http://", StringComparison.OrdinalIgnoreCase) => 7,
            _ when s.StartsWith("https://", StringComparison.OrdinalIgnoreCase) => 8,
            _ when s.StartsWith("www.", StringComparison.OrdinalIgnoreCase) => 4,
            _ when s.StartsWith("pic.twitter.com/", StringComparison.OrdinalIgnoreCase) => 16,
            _ => 0,
        };
        return prefixLength > 0;
    }

    /// <summary>Length in code units of the emoji at <paramref name="i"/>, or 0.</summary>
    private static int EmojiLength(ReadOnlySpan<char> s, int i)
    {
        var c = s[i];
        if (char.IsHighSurrogate(c))
        {
            return i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]) && IsEmojiCodePoint(char.ConvertToUtf32(c, s[i + 1]))
                   && !IsSkinTone(char.ConvertToUtf32(c, s[i + 1])) ? 2 : 0;
        }

        return IsEmojiCodePoint(c) ? 1 : 0;
    }

    /// <summary>Variation selectors, skin tones, keycap and zero-width joiner: parts of an emoji sequence, not tokens.</summary>
    private static bool IsEmojiModifier(ReadOnlySpan<char> s, int i, out int length)
    {
        var c = s[i];
        length = 1;
        if (c is '\uFE0F' or '\uFE0E' or '\u20E3' or '\u200D')
        {
            return true;
        }

        if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]) && IsSkinTone(char.ConvertToUtf32(c, s[i + 1])))
        {
            length = 2;
            return true;
        }

        return false;
    }

    private static bool IsSkinTone(int codePoint) => codePoint is >= 0x1F3FB and <= 0x1F3FF;

    private static bool IsEmojiCodePoint(int cp) => cp switch
    {
        >= 0x1F000 and <= 0x1FAFF => true,          // pictographs, emoticons, transport, supplemental symbols, flags
        >= 0x2600 and <= 0x27BF => true,            // miscellaneous symbols and dingbats (☀ ☺ ♥ ✈ ❤)
        >= 0x2B05 and <= 0x2B55 => true,            // ⬅ ⭐ ⭕
        0x231A or 0x231B or 0x2328 or 0x23CF => true,
        >= 0x23E9 and <= 0x23FA => true,
        0x00A9 or 0x00AE or 0x203C or 0x2049 or 0x2122 or 0x2139 or 0x3030 or 0x303D or 0x3297 or 0x3299 => true,
        _ => false,
    };
}
