using SymbolicGrad.Generator.Ir;

namespace SymbolicGrad.Generator.Analysis;

/// <summary>
/// Which array values may flow into which array variables (subset-based, flow-insensitive: a = b means every array b
/// may hold, a may hold too). Finer than <see cref="Aliasing"/>, whose classes join both sides of every assignment: in
/// <c>input = l == 0 ? x : h; ...; (h, next) = (next, h)</c> the class of <c>next</c> holds x, but nothing flows from x
/// into <c>next</c>. Used only to tell whether a write may reach the caller's memory.
/// </summary>
internal sealed class ArrayFlows
{
    private readonly Dictionary<Var, List<Var>> _into = new();
    private readonly HashSet<Var> _roots = new();
    private readonly HashSet<Var> _foreign = new();

    private ArrayFlows()
    {
    }

    /// <summary>
    /// The flows of a lowered method. Roots (anything the caller may own): the array parameters, and every array
    /// variable defined in a way this analysis does not follow (an element of a jagged array, a call's result, a field).
    /// </summary>
    public static ArrayFlows Of(IrMethod ir)
    {
        var f = new ArrayFlows();
        var loads = new List<Assign>();
        var freshRows = FreshRows.Of(ir);
        var paramLeaves = new HashSet<Var>();
        foreach (var p in ir.Params.Where(p => p.Kind != ParamKind.Results))
        {
            foreach (var leaf in p.Leaves)
            {
                f._roots.Add(leaf.Var);
                paramLeaves.Add(leaf.Var);
            }
        }

        foreach (var (s, _) in IrWalk.All(ir.Body))
        {
            switch (s)
            {
                case Assign a when a.Dst.Type.IsArray:
                    switch (a.Value.Op)
                    {
                        case Opcode.Alloc:
                            break;
                        case Opcode.Copy or Opcode.Slice or Opcode.Cast when a.Value.Args[0] is Var source && source.Type.IsArray:
                            f.Flow(source, a.Dst);
                            break;
                        case Opcode.Select when a.Value.Args[1] is Var or Lit && a.Value.Args[2] is Var or Lit:
                            f.Flow(a.Value.Args[1], a.Dst);
                            f.Flow(a.Value.Args[2], a.Dst);
                            break;
                        case Opcode.Load when freshRows.TryGetValue(a.Dst, out var row):
                            // h[t + 1] read right after h[t + 1] = new double[H]: that new array, whatever else h's rows hold.
                            f.Flow(row, a.Dst);
                            break;
                        default:
                            f._roots.Add(a.Dst);
                            if (a.Value.Op != Opcode.Load)
                            {
                                // A cast from object, an opaque call's result: an array that is not the method's.
                                f._foreign.Add(a.Dst);
                            }
                            else
                            {
                                loads.Add(a);
                            }

                            break;
                    }

                    break;
                case Assign a when a.Value.Data is CallInfo call:
                    foreach (var written in call.Partials.Where(v => v.Type.IsArray))
                    {
                        f._roots.Add(written);
                    }

                    break;
                case If i:
                    foreach (var phi in i.Phis.Where(p => p.Dst.Type.IsArray))
                    {
                        f.Flow(phi.Then, phi.Dst);
                        f.Flow(phi.Else, phi.Dst);
                    }

                    break;
                case Loop l:
                    foreach (var lv in l.Vars.Where(v => v.Var.Type.IsArray))
                    {
                        f.Flow(lv.Init, lv.Var);
                        f.Flow(lv.Next, lv.Var);
                    }

                    break;
            }
        }

        // Arrays read but defined nowhere in the body (fields, anything the lowering binds directly): the caller's, as far
        // as this analysis knows.
        var defined = new HashSet<Var>();
        foreach (var (s, _) in IrWalk.All(ir.Body))
        {
            defined.UnionWith(IrWalk.Writes(s));
        }

        var results = new HashSet<Var>(ir.Params.Where(p => p.Kind == ParamKind.Results).SelectMany(p => p.Leaves).Select(l => l.Var));
        foreach (var (s, _) in IrWalk.All(ir.Body))
        {
            foreach (var read in IrWalk.Reads(s))
            {
                if (read is Var v && v.Type.IsArray && !defined.Contains(v) && !results.Contains(v))
                {
                    f._roots.Add(v);
                    f._foreign.Add(v);
                }
            }
        }

        // A row of a parameter or of a field (data[0] of a [NoDerivative] double[][]) is the caller's; a row of an array
        // the method fills (hs[t] of a local jagged array) is whatever was stored into it, which its alias class says.
        f._foreign.UnionWith(paramLeaves);
        foreach (var load in loads)
        {
            if (load.Value.Args[0] is Var outer && (paramLeaves.Contains(outer) || f._foreign.Contains(outer)))
            {
                f._foreign.Add(load.Dst);
            }
        }

        return f;
    }

    /// <summary>
    /// Arrays that are certainly not the method's own: the parameters, fields and other arrays read but defined nowhere,
    /// rows of those, and arrays from casts or calls. (The roots also hold rows of the method's own jagged arrays.)
    /// </summary>
    public IReadOnlyCollection<Var> Foreign => _foreign;

    /// <summary>Whether <paramref name="v"/> may hold an array the method did not create (breadth first from the roots, no recursion).</summary>
    public bool MayHoldCallersArray(Var v)
    {
        var seen = new HashSet<Var>(_roots);
        var queue = new Queue<Var>(_roots);
        while (queue.Count > 0)
        {
            var u = queue.Dequeue();
            if (ReferenceEquals(u, v))
            {
                return true;
            }

            if (_into.TryGetValue(u, out var next))
            {
                foreach (var w in next)
                {
                    if (seen.Add(w))
                    {
                        queue.Enqueue(w);
                    }
                }
            }
        }

        return false;
    }

    private void Flow(Operand from, Var to)
    {
        if (from is not Var source)
        {
            // A literal (null, default): no array.
            return;
        }

        if (!_into.TryGetValue(source, out var list))
        {
            _into[source] = list = new List<Var>();
        }

        list.Add(to);
    }
}
