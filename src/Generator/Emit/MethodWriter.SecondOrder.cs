using SymbolicGrad.Generator.Ir;
using SymbolicGrad.Generator.Models;

namespace SymbolicGrad.Generator.Emit;

/// <summary>Second order and vector-valued methods (to be filled in).</summary>
internal static partial class MethodWriter
{
    private static void WriteJacobian(CodeWriter w, MethodModel m, IrMethod ir, CancellationToken ct)
    {
        _ = w;
        _ = m;
        _ = ir;
        _ = ct;
    }

    private static void WriteSecondOrder(CodeWriter w, MethodModel m, IrMethod ir, CancellationToken ct)
    {
        _ = w;
        _ = m;
        _ = ir;
        _ = ct;
    }

    private static void WriteHessianArguments(CodeWriter w, MethodModel m, IrMethod ir, List<(IrParam Param, Leaf Leaf, string? Length, string Offset)> slots, List<string> valueArgs, string receiver, string typeArguments, string x, Names names, List<string> prelude)
    {
        w.Line("    });");
    }
}
