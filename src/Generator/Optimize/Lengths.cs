using SymbolicGrad.Generator.Ir;

namespace SymbolicGrad.Generator.Optimize;

/// <summary>
/// The length of an array the method creates, or of a view of one, is the length it was given: x.Length becomes n
/// for x = new double[n] and len for x = y.Slice(o, len). Then the reverse sweep never needs the array just for its length.
/// </summary>
internal static class Lengths
{
    public static void Run(IrMethod method)
    {
        var defs = new Dictionary<Var, Instr>();
        foreach (var (s, _) in IrWalk.All(method.Body))
        {
            if (s is Assign a && !a.Dst.Mutable)
            {
                defs[a.Dst] = a.Value;
            }
        }

        var map = new Dictionary<Var, Operand>();
        foreach (var (s, _) in IrWalk.All(method.Body))
        {
            if (s is Assign { Value.Op: Opcode.Length } a && !a.Dst.Mutable && Known(a.Value.Args[0], defs, 0) is { } length && length.Type.Equals(a.Dst.Type))
            {
                map[a.Dst] = length;
            }
        }

        if (map.Count > 0)
        {
            // Lengths that are variables must be in scope where the length was read: only constants and values defined
            // before (outside) are substituted, which is always the case for an SSA value that defines the array.
            IrWalk.Substitute(method.Body, map);
        }
    }

    private static Operand? Known(Operand array, Dictionary<Var, Instr> defs, int depth)
    {
        if (depth > 16 || array is not Var v || !defs.TryGetValue(v, out var def))
        {
            return null;
        }

        return def.Op switch
        {
            Opcode.Alloc when def.Args.Length == 1 => def.Args[0],
            Opcode.Slice => def.Args[2],
            Opcode.Copy when def.Args[0].Type.IsVector => Known(def.Args[0], defs, depth + 1),
            _ => null,
        };
    }
}
