using CivicDesk.Web.Features.Places;

namespace CivicDesk.Web.Tests.Places;

public sealed class GazetteerCsvTests
{
    [Fact]
    public void Read_GoodFile_ReadsEveryRowWithQuotedCommas()
    {
        var (rows, errors) = GazetteerCsv.Read(new StringReader("Name,Locality,Lat,Lon\r\nHewlett Road,Cheltenham,51.9,-2.06\r\n\"Church Road, Upper\",,51.87,-2.08\n"));

        errors.ShouldBeEmpty();
        rows.ShouldBe([new GazetteerRow("Hewlett Road", "Cheltenham", 51.9, -2.06), new GazetteerRow("Church Road, Upper", null, 51.87, -2.08)]);
    }

    [Fact]
    public void Read_ColumnsInAnyOrderWithLongNames_AreFound() =>
        GazetteerCsv.Read(new StringReader("longitude,latitude,name\n-2.06,51.9,Hewlett Road\n")).Rows.Single().Latitude.ShouldBe(51.9);

    [Fact]
    public void Read_BadRows_AreEachReportedWithTheirLine()
    {
        var (_, errors) = GazetteerCsv.Read(new StringReader("name,locality,lat,lon\nHewlett Road,Cheltenham,51.9,-2.06\n,Cheltenham,51.9,-2.06\nDog Lane,Witcombe,north,-2.1\nBath Road,,95,-2.0\n"));

        errors.Count.ShouldBe(3);
        errors[0].ShouldStartWith("Line 3: the name");
        errors[1].ShouldStartWith("Line 4: lat 'north'");
        errors[2].ShouldStartWith("Line 5: lat '95'");
    }

    [Theory]
    [InlineData("")]
    [InlineData("street,x,y\nHewlett Road,1,2\n")]
    [InlineData("name,lat,lon\n")]
    public void Read_NoHeaderOrNoStreets_IsAnError(string csv) => GazetteerCsv.Read(new StringReader(csv)).Errors.ShouldNotBeEmpty();
}
