using CivicDesk.Web.Platform;

namespace CivicDesk.Web.Tests.Dashboards;

public sealed class ChartModelTests
{
    private static ChartModel Sample(params string[] labels) => new()
    {
        Id = "volume",
        Title = "Messages per day",
        Labels = labels,
        Series = [new ChartSeries("Bluesky", [1, null, 3]), new ChartSeries("Web form, \"public\"", [4, 5, 6])],
    };

    [Fact]
    public void ToCsv_WritesHeaderRowsAndGaps_QuotingWhatNeedsIt()
    {
        var csv = Sample("2026-01-01", "2026-01-02", "2026-01-03").ToCsv();

        csv.ShouldBe("Period,Bluesky,\"Web form, \"\"public\"\"\"\r\n2026-01-01,1,4\r\n2026-01-02,,5\r\n2026-01-03,3,6\r\n");
    }

    [Fact]
    public void ToCsv_NeutralisesSpreadsheetFormulas()
    {
        var csv = Sample("=HYPERLINK(\"x\")", "+1", "@a").ToCsv();

        csv.ShouldContain("\"'=HYPERLINK(\"\"x\"\")\"");
        csv.ShouldContain("\r\n'+1,");
        csv.ShouldContain("\r\n'@a,");
    }

    [Fact]
    public void ToJson_CarriesAMeaningfulColourOnlyWhereOneIsSet()
    {
        var chart = Sample("a", "b", "c") with { Series = [new ChartSeries("Negative", [1, 2, 3], Colour: "#d4351c"), new ChartSeries("Other", [1, 2, 3])] };

        var json = chart.ToJson();

        json.ShouldContain("\"name\":\"Negative\",\"values\":[1,2,3],\"style\":\"solid\",\"colour\":\"#d4351c\"}");
        json.ShouldContain("\"name\":\"Other\",\"values\":[1,2,3],\"style\":\"solid\"}");
    }

    [Fact]
    public void ToJson_CannotCloseTheScriptBlock()
    {
        var json = Sample("</script><script>alert(1)</script>", "b", "c").ToJson();

        json.ShouldNotContain("<");
        json.ShouldNotContain(">");
        json.ShouldContain("\"kind\":\"line\"");
    }

    [Fact]
    public void DisplayLabel_ReadsDatesTheBritishWay()
    {
        var chart = Sample("2026-01-12", "2026-02-01", "x") with { TimeUnit = "day" };

        chart.DisplayLabel(0).ShouldBe("Mon 12 Jan 2026");
        (chart with { TimeUnit = "month" }).DisplayLabel(1).ShouldBe("February 2026");
        chart.DisplayLabel(2).ShouldBe("x");
    }

    [Fact]
    public void IsEmpty_WhenEverySeriesIsAGap()
    {
        var chart = new ChartModel { Id = "e", Title = "t", Labels = ["a"], Series = [new ChartSeries("s", [null])] };

        chart.IsEmpty.ShouldBeTrue();
        Sample("a", "b", "c").IsEmpty.ShouldBeFalse();
    }
}
