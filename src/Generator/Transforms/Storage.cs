using SymbolicGrad.Generator.Analysis;
using SymbolicGrad.Generator.Ir;

namespace SymbolicGrad.Generator.Transforms;

/// <summary>
/// Where the arrays the method creates live in the generated code: a pooled scratch buffer (no allocation per call)
/// when the array is a plain local (one-dimensional, not carried by a loop, not chosen by a branch, not stored in
/// another array, not handed to code the generator does not see); the heap otherwise.
/// </summary>
internal static class Storage
{
    public static void Assign(IrMethod method)
    {
        var aliasing = new Aliasing(method);
        var blocked = new HashSet<Var>();
        foreach (var (s, _) in IrWalk.All(method.Body))
        {
            switch (s)
            {
                case Ir.Assign a when a.Value.Op is Opcode.Opaque or Opcode.Call or Opcode.Select:
                    foreach (var o in a.Value.Args)
                    {
                        if (aliasing.ClassOf(o) is { } c)
                        {
                            blocked.Add(c);
                        }
                    }

                    if (a.Dst.Type.IsArray && aliasing.ClassOf(a.Dst) is { } dc)
                    {
                        blocked.Add(dc);
                    }

                    break;
                case Throw or Effect:
                    foreach (var o in IrWalk.Reads(s))
                    {
                        if (aliasing.ClassOf(o) is { } c)
                        {
                            blocked.Add(c);
                        }
                    }

                    break;
                case Store st when st.Value.Type.IsArray:
                    if (aliasing.ClassOf(st.Value) is { } stored)
                    {
                        blocked.Add(stored);
                    }

                    break;
                case If f:
                    foreach (var p in f.Phis.Where(p => p.Dst.Type.IsArray))
                    {
                        blocked.Add(aliasing.Find(p.Dst));
                    }

                    break;
                case Loop l:
                    foreach (var lv in l.Vars.Where(v => v.Var.Type.IsArray))
                    {
                        blocked.Add(aliasing.Find(lv.Var));
                    }

                    break;
            }
        }

        // Retype each scratch allocation as a span, and every read of it.
        var map = new Dictionary<Var, Operand>();
        var stack = new Stack<Block>();
        stack.Push(method.Body);
        while (stack.Count > 0)
        {
            var block = stack.Pop();
            for (int i = 0; i < block.Stmts.Count; i++)
            {
                var s = block.Stmts[i];
                foreach (var child in IrWalk.Children(s))
                {
                    stack.Push(child);
                }

                if (s is not Ir.Assign { Value.Op: Opcode.Alloc } a || a.Dst.Type.Rank != 1 || a.Dst.Type.Element!.IsArray || a.Dst.Type.Element.Kind == ValueKind.Data
                    || blocked.Contains(aliasing.Find(a.Dst)))
                {
                    continue;
                }

                var element = a.Dst.Type.Element;
                var buffer = method.NewVar(a.Dst.Hint + "Storage", IrType.Object, VarRole.Internal);
                method.Resources.Add((buffer, "new global::SymbolicGrad.Internal.ScratchBuffer<" + element.CSharp + ">()"));
                var span = method.NewVar(a.Dst.Hint, IrType.ArrayOf(element, ArrayForm.Span), a.Dst.Role);
                var replacement = new Ir.Assign(span, new Instr(Opcode.Alloc, span.Type, a.Value.Args, new AllocInfo(AllocKind.Scratch, buffer), a.Value.Source)) { Comment = a.Comment };
                block.Stmts[i] = replacement;
                map[a.Dst] = span;
            }
        }

        IrWalk.Substitute(method.Body, map);

        // Views of a scratch array are spans too.
        RetypeViews(method, map);
    }

    /// <summary>A copy of an array typed T[] that now reads a span must become a span.</summary>
    private static void RetypeViews(IrMethod method, Dictionary<Var, Operand> retyped)
    {
        bool changed = true;
        while (changed)
        {
            changed = false;
            var map = new Dictionary<Var, Operand>();
            var stack = new Stack<Block>();
            stack.Push(method.Body);
            while (stack.Count > 0)
            {
                var block = stack.Pop();
                for (int i = 0; i < block.Stmts.Count; i++)
                {
                    var s = block.Stmts[i];
                    foreach (var child in IrWalk.Children(s))
                    {
                        stack.Push(child);
                    }

                    if (s is Ir.Assign { Value.Op: Opcode.Copy } a && a.Dst.Type.IsArray && a.Dst.Type.Form == ArrayForm.Array
                        && a.Value.Args[0].Type.IsArray && a.Value.Args[0].Type.Form != ArrayForm.Array)
                    {
                        var span = method.NewVar(a.Dst.Hint, a.Dst.Type.WithForm(a.Value.Args[0].Type.Form), a.Dst.Role);
                        block.Stmts[i] = new Ir.Assign(span, new Instr(Opcode.Copy, span.Type, a.Value.Args, null, a.Value.Source)) { Comment = a.Comment };
                        map[a.Dst] = span;
                    }
                }
            }

            if (map.Count > 0)
            {
                IrWalk.Substitute(method.Body, map);
                changed = true;
            }
        }

        _ = retyped;
    }
}
