using System.Text;

namespace SymbolicGrad.Generator.Emit;

/// <summary>Writes C# with four-space indentation and \n line endings, whatever the machine.</summary>
internal sealed class CodeWriter
{
    private readonly StringBuilder _sb = new();
    private int _indent;

    public int Indent => _indent;

    public CodeWriter Line(string text = "")
    {
        if (text.Length > 0)
        {
            _sb.Append(' ', _indent * 4).Append(text);
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
