using Microsoft.CodeAnalysis.Text;

namespace SymbolicGrad.Generator.Tests.Diagnostics;

/// <summary>An expected diagnostic: its id and the span of the text marked in the source.</summary>
public sealed record Mark(string Id, TextSpan Span);

/// <summary>
/// Test sources with the spans of expected diagnostics marked as <c>{|SG0010:try|}</c> (the notation of Roslyn's
/// analyzer tests): the marked text stays in the source, the mark records the id and where the text is.
/// </summary>
public static class Markup
{
    public static (string Text, IReadOnlyList<Mark> Marks) Parse(string marked)
    {
        var text = new System.Text.StringBuilder(marked.Length);
        var marks = new List<Mark>();
        int i = 0;
        while (i < marked.Length)
        {
            int open = marked.IndexOf("{|", i, StringComparison.Ordinal);
            if (open < 0)
            {
                text.Append(marked, i, marked.Length - i);
                break;
            }

            text.Append(marked, i, open - i);
            int colon = marked.IndexOf(':', open);
            int close = marked.IndexOf("|}", open, StringComparison.Ordinal);
            if (colon < 0 || close < 0 || colon > close)
            {
                throw new FormatException("a mark is written {|ID:text|}: " + marked.Substring(open, Math.Min(40, marked.Length - open)));
            }

            string id = marked.Substring(open + 2, colon - open - 2);
            int start = text.Length;
            text.Append(marked, colon + 1, close - colon - 1);
            marks.Add(new Mark(id, TextSpan.FromBounds(start, text.Length)));
            i = close + 2;
        }

        return (text.ToString(), marks);
    }
}
