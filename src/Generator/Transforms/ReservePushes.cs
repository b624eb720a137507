using System.Globalization;
using SymbolicGrad.Generator.Ir;

namespace SymbolicGrad.Generator.Transforms;

/// <summary>
/// The last pass over a generated body: a counted loop that pushes values on a stack, with no loop inside it that
/// pushes on the same stack, reserves room for all of its pushes before it starts (trip count × the pushes its body
/// has, counting both arms of every branch), and its pushes then store without checking for room. Nothing in such a
/// loop can grow the storage, so it has no call in it: a call there made the JIT keep the loop's values (the running
/// sum of <c>sqnorm += q[i] * q[i]</c>) in memory instead of registers, since no floating-point register survives a call.
/// </summary>
/// <remarks>
/// Sound because the room is counted from the loop's own trip count and statements, and nothing else pushes on that
/// stack between the reservation and the end of the loop (a nested loop that pushes on it makes the loop keep its
/// checked pushes; the reverse code fusion put in the loop only pops). A loop that leaves early only over-reserves.
/// The store itself is still bounds-checked.
/// </remarks>
internal static class ReservePushes
{
    public static void Run(Block body)
    {
        var blocks = new Stack<Block>();
        blocks.Push(body);
        while (blocks.Count > 0)
        {
            var block = blocks.Pop();
            for (int i = 0; i < block.Stmts.Count; i++)
            {
                var s = block.Stmts[i];
                foreach (var child in IrWalk.Children(s))
                {
                    blocks.Push(child);
                }

                if (s is Loop loop && Reserve(loop) is { Count: > 0 } reservations)
                {
                    // The same reservation may be there already (Resolve reserves before an outermost loop).
                    for (int j = i - 1; j >= 0 && block.Stmts[j] is Effect { Call.Op: Opcode.Opaque } before; j--)
                    {
                        reservations.RemoveAll(r => SameCall(((Effect)r).Call, before.Call));
                    }

                    block.Stmts.InsertRange(i, reservations);
                    i += reservations.Count;
                }
            }
        }
    }

    private static bool SameCall(Instr a, Instr b) =>
        a.Data is OpaqueInfo x && b.Data is OpaqueInfo y && x.Parts.SequenceEqual(y.Parts, StringComparer.Ordinal)
        && a.Args.Length == b.Args.Length && a.Args.Zip(b.Args, SameOperand).All(same => same);

    private static bool SameOperand(Operand a, Operand b) =>
        ReferenceEquals(a, b) || (a is Lit la && b is Lit lb && la.Text == lb.Text && la.Type.Equals(lb.Type));

    /// <summary>The reservations to put before the loop (one per stack it reserves room on); its pushes marked.</summary>
    private static List<Stmt>? Reserve(Loop loop)
    {
        if (loop.Counted is not { } c || loop.Vars.FirstOrDefault(v => ReferenceEquals(v.Var, c.Index)) is not { } index)
        {
            return null;
        }

        // The pushes of the loop's own body (in branches too, not in nested loops), and the stacks nested loops push on.
        var direct = new List<Push>();
        var nested = new HashSet<Var>();
        var pending = new Stack<(Block Block, bool InNested)>();
        pending.Push((loop.Header, false));
        pending.Push((loop.Body, false));
        while (pending.Count > 0)
        {
            var (block, inNested) = pending.Pop();
            foreach (var s in block.Stmts)
            {
                if (s is Push p)
                {
                    if (inNested)
                    {
                        nested.Add(p.Stack);
                    }
                    else
                    {
                        direct.Add(p);
                    }
                }

                foreach (var child in IrWalk.Children(s))
                {
                    pending.Push((child, inNested || s is Loop));
                }
            }
        }

        var reservations = new List<Stmt>();
        bool inclusive = c.Cmp is CmpKind.Le or CmpKind.Ge;
        foreach (var group in direct.Where(p => !nested.Contains(p.Stack)).GroupBy(p => p.Stack))
        {
            var info = new OpaqueInfo(new[]
            {
                string.Empty,
                ".Reserve(global::SymbolicGrad.Internal.LoopTrips.Count(",
                ", ",
                ", " + c.Step.ToString(CultureInfo.InvariantCulture) + ", " + (inclusive ? "true" : "false") + "), " + group.Count().ToString(CultureInfo.InvariantCulture) + ")",
            }, pure: false, effectFree: false);
            reservations.Add(new Effect(new Instr(Opcode.Opaque, IrType.Object, new Operand[] { group.Key, index.Init, c.Bound }, info))
            {
                Comment = "room for what the loop pushes, reserved before it (its pushes do not check for room)",
            });
            foreach (var p in group)
            {
                p.Reserved = true;
            }
        }

        return reservations;
    }
}
