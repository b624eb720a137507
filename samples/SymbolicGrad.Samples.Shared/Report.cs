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

    /// <summary>A number for a table: 4 significant digits, scientific (1.234e-5) when below 0.001 or from 100000 up.</summary>
    public static string Sig(double value)
    {
        if (!double.IsFinite(value))
        {
            return value.ToString(CultureInfo.InvariantCulture);
        }

        if (value != 0 && (Math.Abs(value) < 1e-3 || Math.Abs(value) >= 1e5))
        {
            return value.ToString("0.000e+0", CultureInfo.InvariantCulture);
        }

        if (value == 0)
        {
            return "0";
        }

        int decimals = 3 - (int)Math.Floor(Math.Log10(Math.Abs(value)));
        double rounded = decimals >= 0 ? Math.Round(value, Math.Min(decimals, 15)) : Math.Round(value / Math.Pow(10, -decimals)) * Math.Pow(10, -decimals);
        return rounded.ToString("0.######", CultureInfo.InvariantCulture);
    }

    /// <summary>A learning rate or other small constant as a person writes it: 0.1, 0.003, 2e-5, 1e-4.</summary>
    public static string Rate(double value)
    {
        if (value == 0 || !double.IsFinite(value) || Math.Abs(value) >= 1e-3)
        {
            return Sig(value);
        }

        int exponent = (int)Math.Floor(Math.Log10(Math.Abs(value)));
        double mantissa = Math.Round(value / Math.Pow(10, exponent), 3);
        return mantissa.ToString("0.###", CultureInfo.InvariantCulture) + "e" + exponent.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>A duration in milliseconds with two decimals.</summary>
    public static string Ms(TimeSpan time) => time.TotalMilliseconds.ToString("0.00", CultureInfo.InvariantCulture) + " ms";
}
