using System.Text;
using CivicDesk.Web.Features.Dashboards;

namespace CivicDesk.Web.Tests.Dashboards;

public sealed class DemandCsvTests
{
    [Fact]
    public void Parse_ReadsColumnsInAnyOrderAndCase_WithUkAndIsoDates()
    {
        var parse = DemandCsv.Parse("Calls,Service,DATE,Handled Minutes\n140,School closures,2026-01-12,812.5\n99,\"Bins, missed\",13/01/2026,\n");

        parse.Ok.ShouldBeTrue();
        parse.Rows.Count.ShouldBe(2);
        parse.Rows[0].ShouldBe(new DemandRow(2, new DateOnly(2026, 1, 12), "School closures", 140, 812.5));
        parse.Rows[1].ShouldBe(new DemandRow(3, new DateOnly(2026, 1, 13), "Bins, missed", 99, null));
    }

    [Theory]
    [InlineData("date,service,calls\n2026-02-30,Bins,3\n", 2, "is not a date")]
    [InlineData("date,service,calls\n,Bins,3\n", 2, "date is missing")]
    [InlineData("date,service,calls\n2026-01-01,,3\n", 2, "service is missing")]
    [InlineData("date,service,calls\n2026-01-01,Bins,-3\n", 2, "not a whole number")]
    [InlineData("date,service,calls\n2026-01-01,Bins,2.5\n", 2, "not a whole number")]
    [InlineData("date,service,calls\n2026-01-01,Bins,\n", 2, "calls is missing")]
    [InlineData("date,service,calls,handled_minutes\n2026-01-01,Bins,3,lots\n", 2, "not a number of minutes")]
    [InlineData("date,service,calls\n2026-01-01,Bins,3\n2026-01-01,bins,4\n", 3, "already on line 2")]
    [InlineData("date,service\n2026-01-01,Bins\n", 1, "needs the column(s) calls")]
    [InlineData("date,service,calls\n", 1, "no rows")]
    public void Parse_NamesTheLineAndTheReason(string csv, int line, string reason)
    {
        var parse = DemandCsv.Parse(csv);

        parse.Ok.ShouldBeFalse();
        parse.Errors.ShouldContain(e => e.Line == line && e.Reason.Contains(reason, StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_RejectsAServiceNameThatIsTooLong()
    {
        var parse = DemandCsv.Parse($"date,service,calls\n2026-01-01,{new string('x', 101)},3\n");

        parse.Errors.Single().Reason.ShouldContain("longer than 100");
    }

    [Fact]
    public void Parse_ListsEveryBadLine_NotJustTheFirst()
    {
        var parse = DemandCsv.Parse("date,service,calls\nnope,Bins,1\n2026-01-02,Bins,1\n2026-01-03,Bins,x\n");

        parse.Errors.Select(e => e.Line).ShouldBe([2, 4]);
        parse.Ok.ShouldBeFalse();
    }

    [Fact]
    public void Parse_RejectsBytesThatAreNotUtf8_AndEmptyFiles()
    {
        DemandCsv.Parse(Encoding.Latin1.GetBytes("date,service,calls\n2026-01-01,Caf\u00e9 licences,3\n")).Errors.Single().Reason.ShouldContain("not UTF-8");
        DemandCsv.Parse([]).Errors.Single().Reason.ShouldContain("empty");
    }

    [Fact]
    public void Parse_AcceptsAByteOrderMark()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("date,service,calls\n2026-01-01,Bins,3\n")).ToArray();

        DemandCsv.Parse(bytes).Ok.ShouldBeTrue();
    }
}
