using SymbolicGrad.Generator.Ir;
using SymbolicGrad.Generator.Models;

namespace SymbolicGrad.Generator.Emit;

/// <summary>The partial derivatives in plain math, for the XML remarks and DifferentiableFunction.Derivatives.</summary>
internal static class Formulas
{
    public static List<string> Describe(MethodModel m, IrMethod ir, Block body, List<(string Name, Var Var)> outputs)
    {
        _ = m;
        _ = ir;
        _ = body;
        _ = outputs;
        return new List<string>();
    }
}
