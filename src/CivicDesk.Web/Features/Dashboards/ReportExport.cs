using System.Globalization;
using System.Text;
using CivicDesk.Web.Platform;
using ClosedXML.Excel;

namespace CivicDesk.Web.Features.Dashboards;

/// <summary>
/// The monthly report as CSV and as an Excel workbook. Both carry every table of the HTML page with its section,
/// caption, header row and basis. Text that a spreadsheet would run as a formula (starting with = + - @, tab or
/// carriage return: a category or place name comes from citizens' messages) is neutralised; numbers stay numbers.
/// </summary>
public static class ReportExport
{
    public const string XlsxContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    /// <summary>
    /// UTF-8 CSV with a byte-order mark (so Excel reads the £ and en dashes): per table a line naming the section and
    /// table, the header row, the rows, and a blank line. Numbers are written plainly (invariant culture, shares as
    /// fractions, 0.85); missing values are empty.
    /// </summary>
    public static byte[] ToCsv(MonthlyReport report)
    {
        var sb = new StringBuilder();
        void Line(IEnumerable<string> cells) => sb.Append(string.Join(',', cells)).Append("\r\n");
        Line([Text(report.Title)]);
        Line([Text($"Generated {report.GeneratedAt:yyyy-MM-dd HH:mm} UTC by CivicDesk for {report.OrganisationName}")]);
        sb.Append("\r\n");
        foreach (var section in report.Sections)
        {
            Line([Text(section.Title), Text("Basis: " + section.Basis)]);
            if (section.Note is { } note)
            {
                Line([Text(section.Title), Text(note)]);
            }

            foreach (var table in section.Tables)
            {
                Line([Text(section.Title), Text(table.Caption)]);
                Line(table.Headers.Select(Text));
                if (table.Rows.Count == 0)
                {
                    Line([Text(table.EmptyText)]);
                }

                foreach (var row in table.Rows)
                {
                    Line(row.Select(c => c.Number is { } n ? n.ToString("R", CultureInfo.InvariantCulture) : c.Text == "–" ? "" : Text(c.Text)));
                }
            }

            sb.Append("\r\n");
        }

        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(sb.ToString())];
    }

    private static string Text(string value) => ChartModel.CsvCell(value);

    /// <summary>One sheet per section: title, basis and note at the top, then each table with a bold header row and number formats.</summary>
    public static byte[] ToXlsx(MonthlyReport report)
    {
        using var workbook = new XLWorkbook();
        workbook.Properties.Title = report.Title;
        workbook.Properties.Author = "CivicDesk";
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var section in report.Sections)
        {
            var sheet = workbook.Worksheets.Add(SheetName(section.Title, names));
            var r = 1;
            SetText(sheet.Cell(r, 1), section.Title).Style.Font.SetBold().Font.SetFontSize(14);
            r++;
            SetText(sheet.Cell(r++, 1), $"{report.Title}. Generated {report.GeneratedAt:d MMMM yyyy HH:mm} UTC.");
            SetText(sheet.Cell(r++, 1), "Basis: " + section.Basis);
            if (section.Note is { } note)
            {
                SetText(sheet.Cell(r++, 1), note).Style.Font.SetBold();
            }

            var widest = 1;
            foreach (var table in section.Tables)
            {
                r++;
                SetText(sheet.Cell(r++, 1), table.Caption).Style.Font.SetBold().Font.SetFontSize(12);
                for (var c = 0; c < table.Headers.Count; c++)
                {
                    var header = SetText(sheet.Cell(r, c + 1), table.Headers[c]);
                    header.Style.Font.SetBold().Fill.SetBackgroundColor(XLColor.FromArgb(0xF3, 0xF2, 0xF1)).Border.SetBottomBorder(XLBorderStyleValues.Thin);
                }

                widest = Math.Max(widest, table.Headers.Count);
                r++;
                if (table.Rows.Count == 0)
                {
                    SetText(sheet.Cell(r++, 1), table.EmptyText);
                }

                foreach (var row in table.Rows)
                {
                    for (var c = 0; c < row.Count; c++)
                    {
                        var cell = sheet.Cell(r, c + 1);
                        if (row[c].Number is { } n)
                        {
                            cell.SetValue(n);
                            cell.Style.NumberFormat.Format = row[c].NumberFormat ?? "General";
                        }
                        else
                        {
                            SetText(cell, row[c].Text);
                        }
                    }

                    r++;
                }
            }

            // Fixed widths: measuring text needs System.Drawing, which is not there on Linux servers.
            sheet.Column(1).Width = 45;
            for (var c = 2; c <= Math.Max(widest, 4); c++)
            {
                sheet.Column(c).Width = 18;
            }

            sheet.PageSetup.PageOrientation = XLPageOrientation.Landscape;
            sheet.PageSetup.FitToPages(1, 0);
        }

        using var stream = new MemoryStream();
        workbook.SaveAs(stream);
        return stream.ToArray();
    }

    /// <summary>
    /// Text stays text: a value a spreadsheet would take for a formula gets a leading apostrophe (ClosedXML stores the
    /// rest as a string), and everything is set as a string, never parsed into a number or date.
    /// </summary>
    private static IXLCell SetText(IXLCell cell, string text)
    {
        var value = text.Length > 0 && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + text : text;
        cell.DataType = XLDataType.Text;
        cell.SetValue(value);
        cell.DataType = XLDataType.Text;
        return cell;
    }

    private static string SheetName(string title, HashSet<string> used)
    {
        var name = new string(title.Where(c => c is not ('[' or ']' or ':' or '*' or '?' or '/' or '\\')).ToArray());
        name = name.Length > 31 ? name[..31] : name;
        var candidate = name;
        for (var i = 2; !used.Add(candidate); i++)
        {
            candidate = (name.Length > 28 ? name[..28] : name) + " " + i;
        }

        return candidate;
    }
}
