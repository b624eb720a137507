using System.Globalization;
using Spectre.Console;

namespace SymbolicGrad.Samples;

/// <summary>Small terminal tables in one style.</summary>
public static class Report
{
    /// <summary>A table with the given column headers; columns after the first are right-aligned (numbers).</summary>
    public static Table Table(params string[] headers)
    {
        var table = new Table().Border(TableBorder.Rounded);
        for (int i = 0; i < headers.Length; i++)
        {
            var column = new TableColumn(Markup.Escape(headers[i]));
            if (i > 0)
            {
                column.RightAligned();
            }

            table.AddColumn(column);
        }

        return table;
    }

    /// <summary>Adds a row of plain text cells (escaped).</summary>
    public static void Row(Table table, params string[] cells) => table.AddRow(cells.Select(c => new Text(c)).ToArray());

    /// <summary>Formats a number with <paramref name="format"/> in the invariant culture.</summary>
    public static string N(double value, string format = "G6") => value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>A number for a table: 4 significant digits, scientific when small or large.</summary>
    public static string Sig(double value) =>
        !double.IsFinite(value) ? value.ToString(CultureInfo.InvariantCulture)
        : value != 0 && (Math.Abs(value) < 1e-3 || Math.Abs(value) >= 1e5) ? value.ToString("0.000e+00", CultureInfo.InvariantCulture)
        : value.ToString("G4", CultureInfo.InvariantCulture);

    /// <summary>A duration in milliseconds with two decimals.</summary>
    public static string Ms(TimeSpan time) => time.TotalMilliseconds.ToString("0.00", CultureInfo.InvariantCulture) + " ms";
}
