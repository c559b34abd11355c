using System.Text;
using CivicDesk.Triage.Learning;

namespace CivicDesk.Triage.Tests.Learning;

public sealed class SocialTextNormaliserTests
{
    private static IReadOnlyList<string> Tokens(string? text) => SocialTextNormaliser.Tokenise(text);

    [Fact]
    public void Empty_and_whitespace_text_give_no_tokens()
    {
        Tokens("").ShouldBeEmpty();
        Tokens("   \n\t ").ShouldBeEmpty();
        Tokens(null).ShouldBeEmpty();
    }

    [Fact]
    public void Links_handles_hashtags_numbers_emoticons_and_emoji_become_tokens()
    {
        Tokens("@CheltBC the road is sooooo bad :( http://t.co/x1 #Pothole 42 😡")
            .ShouldBe(["<user>", "the", "road", "is", "soo", "bad", "<sad>", "<url>", "#pothole", "<num>", "😡"]);
    }

    [Theory]
    [InlineData(":-)", "<smile>")]
    [InlineData("(:", "<smile>")]
    [InlineData(":D", "<laugh>")]
    [InlineData("xD", "<laugh>")]
    [InlineData(";)", "<wink>")]
    [InlineData(":'(", "<cry>")]
    [InlineData("<3", "<heart>")]
    [InlineData(":/", "<skeptic>")]
    public void Emoticons_map_to_classes(string emoticon, string expected) => Tokens($"ok {emoticon} then").ShouldBe(["ok", expected, "then"]);

    [Fact]
    public void Emoticon_letters_inside_words_are_not_emoticons()
    {
        Tokens("boxD :Dear").ShouldBe(["boxd", "dear"]);
    }

    [Fact]
    public void Ellipsis_and_unicode_spaces_behave_as_nfkc_would()
    {
        Tokens("not\u00A0good… great\u2009day").ShouldBe(["not", "good_NEG", "great", "day"]);
    }

    [Fact]
    public void Html_entities_that_tweets_carry_are_decoded()
    {
        Tokens("fish &amp; chips &lt;3").ShouldBe(["fish", "chips", "<heart>"]);
    }

    [Fact]
    public void Negation_scope_marks_words_until_punctuation_or_but()
    {
        Tokens("not good. great").ShouldBe(["not", "good_NEG", "great"]);
        Tokens("I don’t like it, but love this").ShouldBe(["i", "don't", "like_NEG", "it_NEG", "but", "love", "this"]);
        Tokens("never ever again!").ShouldBe(["never", "ever_NEG", "again_NEG", "!"]);
    }

    [Fact]
    public void Shouting_is_kept_as_a_flag_while_the_text_is_lower_cased()
    {
        var buffer = new TokenBuffer();
        SocialTextNormaliser.Normalise("This is NOT OK", buffer);
        buffer.ToStrings().ShouldBe(["this", "is", "not", "ok_NEG"]);
        buffer[0].Flags.ShouldBe(SocialTokenFlags.None);
        buffer[2].Flags.ShouldBe(SocialTokenFlags.Shouted | SocialTokenFlags.Negator);
        buffer[3].Flags.ShouldBe(SocialTokenFlags.Shouted | SocialTokenFlags.Negated);
        buffer.UpperLetters.ShouldBe(6);
        buffer.Letters.ShouldBe(11);
    }

    [Fact]
    public void Elongations_are_cut_to_two_letters_and_flagged()
    {
        var buffer = new TokenBuffer();
        SocialTextNormaliser.Normalise("sooooo goooood", buffer);
        buffer.ToStrings().ShouldBe(["soo", "good"]);
        buffer[0].Flags.ShouldBe(SocialTokenFlags.Elongated);
        buffer[1].Flags.ShouldBe(SocialTokenFlags.Elongated);
    }

    [Fact]
    public void Us_spellings_fold_to_uk_ones()
    {
        Tokens("The color of the center was organized and analyzed; traveling neighbors")
            .ShouldBe(["the", "colour", "of", "the", "centre", "was", "organised", "and", "analysed", "travelling", "neighbours"]);
        Tokens("promise exercise surprise").ShouldBe(["promise", "exercise", "surprise"]);
    }

    [Fact]
    public void Nfkc_folds_compatibility_characters()
    {
        Tokens("ＨＥＬＬＯ ﬁne ①").ShouldBe(["hello", "fine", "<num>"]);
    }

    [Fact]
    public void Emoji_sequences_drop_skin_tones_and_variation_selectors()
    {
        Tokens("thanks 👍🏽❤️!").ShouldBe(["thanks", "👍", "❤", "!"]);
    }

    [Fact]
    public void Right_to_left_text_keeps_its_words_and_drops_bidi_marks()
    {
        Tokens("الطريق مكسور").ShouldBe(["الطريق", "مكسور"]);
        Tokens("\u200Fשלום\u200E עולם").ShouldBe(["שלום", "עולם"]);
    }

    [Fact]
    public void Lone_surrogates_are_treated_as_separators()
    {
        Tokens("bad \uD800 road\uDC00x \uD83D").ShouldBe(["bad", "road", "x"]);
        Tokens("ü\uD800é").ShouldBe(["ü", "é"]);
    }

    [Fact]
    public void A_100_kilobyte_message_is_tokenised_whole_and_long_runs_are_cut()
    {
        var text = string.Concat(Enumerable.Repeat("pothole ", 12_800));
        text.Length.ShouldBeGreaterThanOrEqualTo(100_000);
        var tokens = Tokens(text);
        tokens.Count.ShouldBe(12_800);
        tokens.ShouldAllBe(t => t == "pothole");

        var oneRun = Tokens(string.Concat(Enumerable.Repeat("abcdefghij", 10_000)));
        oneRun.Count.ShouldBe(1);
        oneRun[0].Length.ShouldBe(SocialTextNormaliser.MaxTokenLength);
    }

    [Fact]
    public void Normalising_english_with_accents_quotes_and_emoji_allocates_nothing_after_warm_up()
    {
        var buffer = new TokenBuffer();
        string[] texts = ["@Council the street light is OUT again!!! not good :( http://x.y #dark", "Ça ne marche pas – it’s “broken” 😡👍🏽❤️ at the café £5", "not\u00A0working… again"];
        foreach (var t in texts)
        {
            SocialTextNormaliser.Normalise(t, buffer);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            foreach (var t in texts)
            {
                SocialTextNormaliser.Normalise(t, buffer);
            }
        }

        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBe(0);
    }

    [Fact]
    public void Text_that_needs_nfkc_allocates_only_icus_small_buffer()
    {
        var buffer = new TokenBuffer();
        const string Text = "ＯＫ الطريق مكسور ﬁne";
        SocialTextNormaliser.Normalise(Text, buffer);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            SocialTextNormaliser.Normalise(Text, buffer);
        }

        ((GC.GetAllocatedBytesForCurrentThread() - before) / 100).ShouldBeLessThan(512);
        buffer.ToStrings().ShouldBe(["ok", "الطريق", "مكسور", "fine"]);
    }

    [Fact]
    public void Random_utf16_never_throws()
    {
        var random = new Random(7);
        var buffer = new TokenBuffer();
        var sb = new StringBuilder();
        for (var round = 0; round < 200; round++)
        {
            sb.Clear();
            var length = random.Next(0, 300);
            for (var i = 0; i < length; i++)
            {
                sb.Append((char)random.Next(0, 0x10000));
            }

            SocialTextNormaliser.Normalise(sb.ToString(), buffer);
            buffer.Count.ShouldBeLessThanOrEqualTo(length + 1);
        }
    }
}
