using SymbolicGrad.Generator.Ir;
using SymbolicGrad.Generator.Lowering;

namespace SymbolicGrad.Generator.Emit;

/// <summary>Names every printed variable, in reading order, from counters: t0, t1... for temporaries, xBar for adjoints.</summary>
internal static class Naming
{
    public static void Assign(CBlock root, NameAllocator names)
    {
        foreach (var (s, _) in Cleanup.Walk(root))
        {
            foreach (var v in s.Declares())
            {
                if (v.FinalName is not null)
                {
                    continue;
                }

                v.FinalName = v.Role switch
                {
                    VarRole.Temp or VarRole.Merge when v.Name is "t" or "c" => names.AllocateNumbered(v.Name),
                    VarRole.Adjoint => names.Allocate((v.AdjointOf?.FinalName ?? v.AdjointOf?.Name ?? "t").TrimStart('@') + "Bar"),
                    _ => names.Allocate(Lowerer.EscapeIdentifier(v.Name.TrimStart('@'))),
                };
            }
        }

        // A safety net: a variable used but never declared would print under a name that may mean something
        // else (a parameter). That is a bug in the generator: fail loudly (SG9999), never emit wrong code.
        foreach (var (s, _) in Cleanup.Walk(root))
        {
            foreach (var v in s.Reads().SelectMany(e => e.Vars()).Concat(s.Assigns()))
            {
                if (v.FinalName is null)
                {
                    throw new InvalidOperationException("internal: '" + v.Name + "' is used but was never declared");
                }
            }
        }
    }
}
