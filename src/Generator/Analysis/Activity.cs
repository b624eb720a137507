using SymbolicGrad.Generator.Ir;

namespace SymbolicGrad.Generator.Analysis;

/// <summary>
/// Which arrays may be the same memory: every array value belongs to one class (union-find over allocations,
/// parameters, views, φs and the arrays stored into arrays of arrays).
/// </summary>
internal sealed class Aliasing
{
    private readonly Dictionary<Var, Var> _parent = new();
    private readonly Dictionary<Var, Var> _elements = new();

    public Aliasing(IrMethod method)
    {
        foreach (var leaf in method.Leaves)
        {
            if (leaf.Var.Type.IsArray)
            {
                Find(leaf.Var);
            }
        }

        // Two passes reach a fixpoint: unions only merge, and loop variables join their initial and next values.
        for (int pass = 0; pass < 2; pass++)
        {
            foreach (var (s, _) in IrWalk.All(method.Body))
            {
                switch (s)
                {
                    case Assign a when a.Dst.Type.IsArray:
                        var instr = a.Value;
                        switch (instr.Op)
                        {
                            case Opcode.Copy or Opcode.Slice:
                                Union(a.Dst, instr.Args[0]);
                                break;
                            case Opcode.Select:
                                Union(a.Dst, instr.Args[1]);
                                Union(a.Dst, instr.Args[2]);
                                break;
                            case Opcode.Load when instr.Args[0] is Var outer:
                                Union(a.Dst, ElementsOf(outer));
                                break;
                            default:
                                Find(a.Dst);
                                break;
                        }

                        break;
                    case Store st when st.Value.Type.IsArray && st.Array is Var outerArray:
                        Union(st.Value, ElementsOf(outerArray));
                        break;
                    case If i:
                        foreach (var p in i.Phis.Where(p => p.Dst.Type.IsArray))
                        {
                            Union(p.Dst, p.Then);
                            Union(p.Dst, p.Else);
                        }

                        break;
                    case Loop l:
                        foreach (var lv in l.Vars.Where(v => v.Var.Type.IsArray))
                        {
                            Union(lv.Var, lv.Init);
                            Union(lv.Var, lv.Next);
                        }

                        break;
                }
            }
        }
    }

    /// <summary>The representative of an array value's class.</summary>
    public Var Find(Var v)
    {
        if (!_parent.TryGetValue(v, out var p))
        {
            _parent[v] = v;
            return v;
        }

        if (ReferenceEquals(p, v))
        {
            return v;
        }

        // Path halving, iteratively.
        var root = p;
        while (_parent.TryGetValue(root, out var next) && !ReferenceEquals(next, root))
        {
            root = next;
        }

        _parent[v] = root;
        return root;
    }

    public Var? ClassOf(Operand o) => o is Var v && v.Type.IsArray ? Find(v) : null;

    /// <summary>The class of the arrays held in the elements of an array of arrays (the rows of a jagged matrix).</summary>
    public Var ElementsClass(Var outer) => Find(ElementsOf(outer));

    /// <summary>The class of the arrays held in the elements of an array of arrays.</summary>
    private Var ElementsOf(Var outer)
    {
        var root = Find(outer);
        if (!_elements.TryGetValue(root, out var e))
        {
            e = new Var(-1 - _elements.Count, "elements", root.Type.Element ?? root.Type, VarRole.Internal, false);
            _elements[root] = e;
        }

        return e;
    }

    private void Union(Operand a, Operand b)
    {
        if (a is not Var va || b is not Var vb || !vb.Type.IsArray)
        {
            return;
        }

        var ra = Find(va);
        var rb = Find(vb);
        if (!ReferenceEquals(ra, rb))
        {
            // Keep the smaller id as the representative: deterministic.
            if (ra.Id < rb.Id)
            {
                _parent[rb] = ra;
            }
            else
            {
                _parent[ra] = rb;
            }
        }
    }
}

/// <summary>
/// Forward activity: which values vary with the differentiated parameters. Reals, real arrays and data derived from them
/// vary. Integers and bools carry no derivative: a real truncated, rounded or compared is a step function. But an integer
/// that code the generator cannot see computed from a varied real (BitConverter.DoubleToInt64Bits(x)) is tainted: it may
/// encode the real exactly, so converting it back to a real is refused rather than treated as a constant.
/// </summary>
internal sealed class Activity
{
    private readonly HashSet<Var> _varied = new();
    private readonly HashSet<Var> _variedClasses = new();

    public Activity(IrMethod method, Aliasing aliasing)
    {
        Aliasing = aliasing;
        foreach (var leaf in method.Leaves)
        {
            if (leaf.Differentiable)
            {
                _varied.Add(leaf.Var);
                if (leaf.Var.Type.IsArray)
                {
                    _variedClasses.Add(aliasing.Find(leaf.Var));
                }
            }
        }

        foreach (var v in method.VariedByModel)
        {
            _varied.Add(v);
        }

        bool changed = true;
        for (int pass = 0; changed && pass < 100; pass++)
        {
            changed = false;
            foreach (var (s, _) in IrWalk.All(method.Body))
            {
                switch (s)
                {
                    case Assign a:
                        if (Derives(a.Value))
                        {
                            changed |= Mark(a.Dst);
                            if (a.Value.Data is CallInfo call)
                            {
                                foreach (var p in call.Partials)
                                {
                                    changed |= Mark(p);
                                }
                            }
                        }

                        break;
                    case Store st:
                        if (IsVaried(st.Value) && st.Array is Var arr && _variedClasses.Add(aliasing.Find(arr)))
                        {
                            changed = true;
                        }

                        break;
                    case If i:
                        foreach (var p in i.Phis)
                        {
                            if (IsVaried(p.Then) || IsVaried(p.Else))
                            {
                                changed |= Mark(p.Dst);
                            }
                        }

                        break;
                    case Loop l:
                        foreach (var lv in l.Vars)
                        {
                            if (IsVaried(lv.Init) || IsVaried(lv.Next))
                            {
                                changed |= Mark(lv.Var);
                            }
                        }

                        break;
                }
            }
        }
    }

    public Aliasing Aliasing { get; }

    public bool IsVaried(Operand o)
    {
        if (o is not Var v)
        {
            return false;
        }

        if (v.Type.IsArray)
        {
            return _varied.Contains(v) || _variedClasses.Contains(Aliasing.Find(v));
        }

        return _varied.Contains(v);
    }

    /// <summary>Varied and of a type that carries a derivative: the values that get adjoints (never a tainted integer).</summary>
    public bool IsActive(Operand o) => IsVaried(o) && (o.Type.IsReal || (o.Type.IsArray && CarriesDerivative(o.Type)));

    public static bool CarriesDerivative(IrType t) => t.IsReal || (t.IsArray && CarriesDerivative(t.Element!));

    private bool Derives(Instr instr)
    {
        if (instr.Type.IsInt || instr.Type.IsBool)
        {
            // Known step functions of reals (casts, comparisons, Sign, IsNaN...) are clean; opaque code and arithmetic on
            // tainted integers are not.
            return instr.Op switch
            {
                Opcode.Opaque => instr.Data is not OpaqueInfo { Step: true } && instr.Args.Any(IsVaried),
                Opcode.Call => instr.Args.Any(IsVaried),
                Opcode.Cast or Opcode.Cmp => instr.Args.Any(a => !a.Type.IsReal && IsVaried(a)),

                // The shape of an array is never a function of its values.
                Opcode.Length or Opcode.GetLength => false,
                Opcode.Load => IsVaried(instr.Args[0]),
                _ => instr.Args.Any(IsVaried),
            };
        }

        if (instr.Op == Opcode.Opaque && instr.Data is OpaqueInfo { Step: true })
        {
            return false;
        }

        if (instr.Op == Opcode.Load)
        {
            return IsVaried(instr.Args[0]);
        }

        foreach (var a in instr.Args)
        {
            if (IsVaried(a))
            {
                return true;
            }
        }

        return false;
    }

    private bool Mark(Var v)
    {
        bool added = _varied.Add(v);
        if (v.Type.IsArray && CarriesDerivative(v.Type.Element!))
        {
            added |= _variedClasses.Add(Aliasing.Find(v));
        }

        return added;
    }
}
