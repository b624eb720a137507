using System.Text;

namespace SymbolicGrad.Generator.Emit;

/// <summary>Writes C# with four-space indentation and \n line endings, whatever the machine.</summary>
internal sealed class CodeWriter
{
    /// <summary>
    /// Indentation stops growing at this depth: a switch of n cases lowers to n nested branches, and indenting each to
    /// its depth made the file grow as n² (192 MB for 2,000 cases; red-team K).
    /// </summary>
    private const int MaxIndent = 24;

    private readonly StringBuilder _sb = new();
    private int _indent;

    public int Indent => _indent;

    public CodeWriter Line(string text = "")
    {
        if (text.Length > 0)
        {
            _sb.Append(' ', Math.Min(_indent, MaxIndent) * 4).Append(text);
        }

        _sb.Append('\n');
        return this;
    }

    public void Comment(string text)
    {
        foreach (var line in text.Split('\n'))
        {
            Line("// " + line.Replace('\r', ' '));
        }
    }

    public void Open(string text)
    {
        Line(text);
        OpenBrace();
    }

    public void OpenBrace()
    {
        Line("{");
        _indent++;
    }

    public void Close(string suffix = "")
    {
        _indent--;
        Line("}" + suffix);
    }

    public override string ToString() => _sb.ToString();
}
