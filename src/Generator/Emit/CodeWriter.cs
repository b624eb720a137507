using System.Text;
using SymbolicGrad.Generator.Ir;

namespace SymbolicGrad.Generator.Emit;

/// <summary>Writes C# with four-space indentation and \n line endings, whatever the machine.</summary>
internal sealed class CodeWriter
{
    private readonly StringBuilder _sb = new();
    private int _indent;
    private bool _atBlockStart;

    public CodeWriter Line(string text = "")
    {
        if (text.Length > 0)
        {
            _sb.Append(' ', _indent * 4).Append(text);
        }

        _sb.Append('\n');
        _atBlockStart = false;
        return this;
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
        _atBlockStart = true;
    }

    public void Close(string suffix = "")
    {
        _indent--;
        Line("}" + suffix);
    }

    public override string ToString() => _sb.ToString();

    public void Block(CBlock block)
    {
        foreach (var s in block.Statements)
        {
            Statement(s);
        }
    }

    private void Statement(CStmt s)
    {
        foreach (var comment in s.Comments)
        {
            string text = comment();
            if (s is CComment && !_atBlockStart)
            {
                Line();
            }

            Line("// " + text.Replace('\n', ' ').Replace('\r', ' '));
        }

        switch (s)
        {
            case CLet let:
                Line((let.Var.DeclaredSeparately ? string.Empty : let.Var.Type.CSharp + " ") + Name(let.Var) + " = " + Printer.CSharp(let.Value) + ";");
                break;
            case CDeclare d:
                Line(d.Var.Type.CSharp + " " + Name(d.Var) + (!d.Initialize ? ";" : d.Var.Type.IsReal ? " = " + Printer.Literal(0, d.Var.Type) + ";" : " = default;"));
                break;
            case CAssign a:
                Line(Name(a.Var) + " = " + Printer.CSharp(a.Value) + ";");
                break;
            case CAccumulate acc:
                Line(Name(acc.Var) + " += " + Printer.CSharp(acc.Value) + ";");
                break;
            case COutput o:
                Line(o.Name + " = " + Printer.CSharp(o.Value) + ";");
                break;
            case CCall c:
                Call(c);
                break;
            case CIf i:
                If(i);
                break;
            case CReturn r:
                Line("return " + Printer.CSharp(r.Value) + ";");
                break;
            case CThrow t:
                Line(t.Text);
                break;
            case CLoop loop:
                Loop(loop);
                break;
            case CReverseLoop r:
                Open("for (int " + Name(r.K) + " = " + Name(r.Info.Count) + " - 1; " + Name(r.K) + " >= 0; " + Name(r.K) + "--)");
                Block(r.Body);
                Close();
                break;
            case CJump jump:
                Line(jump.IsBreak ? "break;" : "continue;");
                break;
            case CPush push:
                Line(Name(push.Stack) + ".Push(" + PushValue(push) + ");");
                break;
            case CPop pop:
                Line(pop.Var.Type.CSharp + " " + Name(pop.Var) + " = " + PopValue(pop) + ";");
                break;
            case CReserve r:
                Line(Name(r.Stack) + ".Reserve(global::SymbolicGrad.Internal.LoopTrips.Count(" + Printer.CSharp(r.Start) + ", " + Printer.CSharp(r.Bound) + ", "
                    + r.Step.ToString(System.Globalization.CultureInfo.InvariantCulture) + ", " + (r.Inclusive ? "true" : "false") + "), "
                    + r.PerIteration.ToString(System.Globalization.CultureInfo.InvariantCulture) + ");");
                break;
            case CStack st:
                Line(st.Dispose ? Name(st.Stack) + ".Dispose();" : "var " + Name(st.Stack) + " = new global::SymbolicGrad.Internal.ValueStack<" + st.ElementType + ">(16);");
                break;
            case CArray a:
                Array(a);
                break;
            case CReturnBuffer b:
                Line("global::SymbolicGrad.Internal.AdjointBuffers.Return(" + Name(b.Array) + ");");
                break;
            case CElement e:
                Line(Name(e.Array) + "[" + Printer.CSharp(e.Index) + "]" + (e.Accumulate ? " += " : " = ") + Printer.CSharp(e.Value) + ";");
                break;
            case CRaw raw:
                Line(raw.Text);
                break;
            case CGradientCall g:
                GradientCall(g);
                break;
        }
    }

    private void GradientCall(CGradientCall g)
    {
        var target = g.Call.Target;
        var args = g.Call.Args.Select(Printer.CSharp).ToList();
        var lengths = new Dictionary<int, string>();
        int k = 0;
        OpenBrace();
        for (int i = 0; i < g.Call.Args.Length; i++)
        {
            if (!target.Differentiable[i])
            {
                continue;
            }

            if (g.Arrays[k] is { } array)
            {
                string element = array.Buffer.Type.Element!.CSharp;
                lengths[k] = Printer.CSharp(g.Call.Args[i]) + ".Length";
                Line(element + "[] " + Name(array.Buffer) + " = global::SymbolicGrad.Internal.AdjointBuffers.Rent<" + element + ">(" + lengths[k] + ");");
                args.Add("new global::System.Span<" + element + ">(" + Name(array.Buffer) + ", 0, " + lengths[k] + ")");
            }
            else
            {
                args.Add(g.Partials[k] is { } p ? "out " + Name(p) : "out _");
            }

            k++;
        }

        Line(target.Receiver + "." + target.Name + "Gradient(" + string.Join(", ", args) + ");");
        string adjoint = Printer.CSharp(g.Adjoint);
        foreach (var (entry, index) in g.Arrays.Select((a, i) => (a, i)).Where(x => x.a is not null))
        {
            var (buffer, q, into) = entry!.Value;
            if (into is not null)
            {
                Line("for (int " + Name(q) + " = 0; " + Name(q) + " < " + lengths[index] + "; " + Name(q) + "++) " + Name(into) + "[" + Name(q) + "] += " + adjoint + " * " + Name(buffer) + "[" + Name(q) + "];");
            }

            Line("global::SymbolicGrad.Internal.AdjointBuffers.Return(" + Name(buffer) + ");");
        }

        Close();
    }

    private void Loop(CLoop loop)
    {
        string condition = loop.Condition is null ? string.Empty : Printer.CSharp(loop.Condition);
        switch (loop.Kind)
        {
            case Ir.IrLoopKind.While:
                Open("while (" + condition + ")");
                Block(loop.Body);
                Close();
                break;
            case Ir.IrLoopKind.Do:
                Open("do");
                Block(loop.Body);
                Close(" while (" + condition + ");");
                break;
            default:
                string step = string.Join(", ", loop.Step.Select(s => Name(s.Target) + " = " + Printer.CSharp(s.Value)));
                Open("for (; " + condition + "; " + step + ")");
                Block(loop.Body);
                Close();
                break;
        }
    }

    private void Array(CArray a)
    {
        var element = a.Array.Type.Element!.CSharp;
        string length = Printer.CSharp(a.Length);
        if (a.Rented)
        {
            Line(element + "[] " + Name(a.Array) + " = global::SymbolicGrad.Internal.AdjointBuffers.Rent<" + element + ">(" + length + ");");
        }
        else if (a.StackAlloc)
        {
            Line("global::System.Span<" + element + "> " + Name(a.Array) + " = stackalloc " + element + "[" + length + "];");
            if (a.Array.AdjointOf is not null)
            {
                Line(Name(a.Array) + ".Clear();");
            }
        }
        else
        {
            Line(a.Array.Type.CSharp + " " + Name(a.Array) + " = new " + element + "[" + length + "];");
        }
    }

    private static string StackElement(Var stack) => stack.Type.CSharp.EndsWith("<int>", StringComparison.Ordinal) ? "int" : "other";

    private static string PushValue(CPush push)
    {
        string value = Printer.CSharp(push.Value);
        return push.Value.Type.Kind == ValueKind.Bool ? "(" + value + ") ? 1 : 0" : value;
    }

    private static string PopValue(CPop pop)
    {
        string call = Name(pop.Stack) + ".Pop()";
        var type = pop.Var.Type;
        if (type.Kind == ValueKind.Bool)
        {
            return call + " != 0";
        }

        if (type.IsSingle || (type.Kind == ValueKind.Integer && StackElement(pop.Stack) != "int"))
        {
            return "(" + type.CSharp + ")" + call;
        }

        return call;
    }

    private void Call(CCall c)
    {
        var target = c.Call.Target;
        var args = new List<string>();
        args.AddRange(c.Call.Args.Select(Printer.CSharp));
        foreach (var p in c.Partials)
        {
            args.Add(p is null ? "out _" : p.DeclaredSeparately ? "out " + Name(p) : "out " + p.Type.CSharp + " " + Name(p));
        }

        string lhs = c.Var.DeclaredSeparately ? Name(c.Var) : c.Var.Type.CSharp + " " + Name(c.Var);
        Line(lhs + " = " + target.Receiver + "." + target.Name + "Gradient(" + string.Join(", ", args) + ");");
    }

    private void If(CIf i)
    {
        var condition = i.Condition;
        var then = i.Then;
        var @else = i.Else;
        static bool Empty(CBlock b) => b.Statements.All(s => s is CEndOfIteration);
        if (Empty(then) && !Empty(@else))
        {
            condition = new InlineExpr(InlineForm.Prefix, "!", new[] { condition }, IrType.Bool, Printer.Unary);
            (then, @else) = (@else, then);
        }

        Open("if (" + Printer.CSharp(condition) + ")");
        Block(then);
        Close();
        if (!Empty(@else))
        {
            Open("else");
            Block(@else);
            Close();
        }
    }

    private static string Name(Var v) => v.FinalName ?? v.Name;
}
