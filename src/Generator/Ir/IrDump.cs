using System.Globalization;
using System.Text;

namespace SymbolicGrad.Generator.Ir;

/// <summary>
/// A canonical text of a method's IR: everything the generated code depends on, so that two equal dumps generate
/// the same file (the pipeline compares IR by its dump to cache). Also readable, for tests and debugging.
/// </summary>
internal static class IrDump
{
    public static string Of(IrMethod m)
    {
        var sb = new StringBuilder();
        sb.Append("method ").Append(m.ReturnType.Key).Append(" <").Append(string.Join(",", m.TypeParameters)).Append(">\n");
        foreach (var p in m.Params)
        {
            sb.Append("param ").Append(p.Name).Append(' ').Append(p.Type).Append(' ').Append(p.Kind).Append(' ').Append(p.StructType).Append(' ').Append(p.StructConstruction).Append('\n');
            foreach (var l in p.Leaves)
            {
                sb.Append("  leaf ").Append(V(l.Var)).Append(' ').Append(l.Access).Append(l.Differentiable ? " d" : string.Empty).Append('\n');
            }
        }

        Block(sb, m.Body);
        sb.Append("result ").Append(m.Result is null ? "-" : O(m.Result)).Append('\n');
        return sb.ToString();
    }

    public static string Block(Block b)
    {
        var sb = new StringBuilder();
        Block(sb, b);
        return sb.ToString();
    }

    private static void Block(StringBuilder sb, Block root)
    {
        var stack = new Stack<(Block Block, int Index, int Depth, string? After)>();
        stack.Push((root, 0, 0, null));
        while (stack.Count > 0)
        {
            var (block, index, depth, after) = stack.Pop();
            if (index >= block.Stmts.Count)
            {
                if (after is not null)
                {
                    sb.Append(' ', depth * 2).Append(after).Append('\n');
                }

                continue;
            }

            var s = block.Stmts[index];
            stack.Push((block, index + 1, depth, after));
            sb.Append(' ', depth * 2);
            if (s.Comment is not null)
            {
                sb.Append("// ").Append(s.Comment).Append('\n').Append(' ', depth * 2);
            }

            switch (s)
            {
                case Assign a:
                    sb.Append(V(a.Dst)).Append(" = ").Append(I(a.Value)).Append('\n');
                    break;
                case Store st:
                    sb.Append(O(st.Array)).Append('[').Append(string.Join(",", st.Index.Select(O))).Append(st.Accumulate ? "] += " : "] = ").Append(O(st.Value)).Append('\n');
                    break;
                case If i:
                    sb.Append("if ").Append(O(i.Cond)).Append(" phis ").Append(string.Join(", ", i.Phis.Select(p => V(p.Dst) + "<-" + O(p.Then) + "|" + O(p.Else)))).Append('\n');
                    stack.Push((i.Else, 0, depth + 1, "end"));
                    stack.Push((new Block(), 0, depth, "else"));
                    stack.Push((i.Then, 0, depth + 1, null));
                    break;
                case Loop l:
                    sb.Append("loop ").Append(l.Reversed ? "rev " : string.Empty).Append(l.SumKernel is { } sum ? sum + " " : string.Empty).Append(l.Source).Append(" vars ")
                        .Append(string.Join(", ", l.Vars.Select(v => V(v.Var) + "=" + O(v.Init) + "->" + O(v.Next))))
                        .Append(" cond ").Append(O(l.Cond));
                    if (l.Counted is { } c)
                    {
                        sb.Append(" counted ").Append(V(c.Index)).Append(' ').Append(c.Step.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(c.Cmp).Append(' ').Append(O(c.Bound));
                    }

                    sb.Append('\n');
                    stack.Push((l.Body, 0, depth + 1, "end"));
                    stack.Push((new Block(), 0, depth, "body"));
                    stack.Push((l.Header, 0, depth + 1, null));
                    break;
                case Throw t:
                    sb.Append("throw ").Append(I(t.Exception)).Append('\n');
                    break;
                case Effect e:
                    sb.Append("effect ").Append(I(e.Call)).Append('\n');
                    break;
                case Push p:
                    sb.Append("push ").Append(V(p.Stack)).Append(' ').Append(O(p.Value)).Append('\n');
                    break;
                case Note:
                    sb.Append("note\n");
                    break;
            }
        }
    }

    public static string V(Var v) =>
        "%" + v.Id.ToString(CultureInfo.InvariantCulture) + ":" + v.Hint + ":" + v.Type.Key + ":" + (int)v.Role + (v.Mutable ? "m" : string.Empty)
        + (v.Of is null ? string.Empty : "^" + v.Of.Id.ToString(CultureInfo.InvariantCulture));

    public static string O(Operand o) => o switch
    {
        Var v => "%" + v.Id.ToString(CultureInfo.InvariantCulture),
        Const c => "c" + BitConverter.DoubleToInt64Bits(c.Value).ToString(CultureInfo.InvariantCulture) + ":" + c.Type.Key,
        Lit l => "'" + l.Text + "':" + l.Type.Key,
        _ => "?",
    };

    public static string I(Instr i)
    {
        var sb = new StringBuilder();
        sb.Append(i.Op).Append(':').Append(i.Type.Key).Append('(').Append(string.Join(",", i.Args.Select(O))).Append(')');
        switch (i.Data)
        {
            case null:
                break;
            case OpaqueInfo o:
                sb.Append(" {").Append(o.Key).Append('}');
                break;
            case CallInfo c:
                sb.Append(" {").Append(c.Receiver).Append('.').Append(c.Gradient).Append(' ').Append(string.Join(",", c.Partials.Select(V)))
                    .Append(' ').Append(string.Join(",", c.Differentiable)).Append('}');
                break;
            case AllocInfo a:
                sb.Append(" {").Append(a.Kind).Append(' ').Append(a.Buffer is null ? "-" : V(a.Buffer)).Append('}');
                break;
            case StackInfo st:
                sb.Append(" {").Append(V(st.Stack)).Append('}');
                break;
            default:
                sb.Append(" {").Append(Convert.ToString(i.Data, CultureInfo.InvariantCulture)).Append('}');
                break;
        }

        if (i.Source is not null)
        {
            sb.Append(" \"").Append(i.Source).Append('"');
        }

        return sb.ToString();
    }
}
