using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using SymbolicGrad.Generator.Diagnostics;
using SymbolicGrad.Generator.Ir;
using SymbolicGrad.Generator.Models;
using SymbolicGrad.Generator.Rules;

namespace SymbolicGrad.Generator.Lowering;

/// <summary>Hands out variables with per-method, deterministic ids.</summary>
internal sealed class VarFactory
{
    private int _next;

    /// <summary>How many variables exist: the id the next one gets.</summary>
    public int Count => _next;

    public Var New(string stem, IrType type, VarRole role) => new(_next++, stem, type, role);
}

/// <summary>
/// Lowers a method body (Roslyn's IOperation tree, which says what every node really is) into the IR:
/// expression trees over SSA variables, if/else with merges, and early returns turned into terminal ifs.
/// Every construct it cannot differentiate exactly is reported at its node (see Lowerer.Diagnostics.cs).
/// </summary>
internal sealed partial class Lowerer
{
    /// <summary>Bound on the lowered size: early returns inside branches copy the code that follows them.</summary>
    public const int MaxStatements = 20_000;

    private readonly IMethodSymbol _method;
    private readonly List<DiagnosticInfo> _diagnostics;
    private readonly CancellationToken _cancellationToken;
    private readonly VarFactory _vars;
    private Block _current = new();

    /// <summary>How many if/else branches (whose reverse runs elsewhere) the lowering is inside.</summary>
    private int _branchDepth;
    private int _statementCount;
    private bool _tooManyReported;

    public Lowerer(IMethodSymbol method, VarFactory vars, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        _method = method;
        _vars = vars;
        _diagnostics = diagnostics;
        _cancellationToken = cancellationToken;
    }

    /// <summary>The parameters as IR variables, in order.</summary>
    public List<Var> Parameters { get; } = new();

    /// <summary>True when the body contains a throw copied as text (the generated file then needs the user's usings).</summary>
    public bool HasThrow { get; private set; }

    public Block Lower(IOperation body, Func<IParameterSymbol, bool> isDifferentiable)
    {
        var env = new Env();
        foreach (var p in _method.Parameters)
        {
            var type = TypeOf(p.Type);
            var v = _vars.New(p.Name, type, VarRole.Parameter);
            v.Differentiable = isDifferentiable(p);
            v.Active = v.Differentiable;
            v.Name = EscapeIdentifier(p.Name);
            Parameters.Add(v);
            env.Set(p, new VarExpr(v));
        }

        var block = new Block();
        var statements = body switch
        {
            IMethodBodyOperation m => Flatten(m.BlockBody ?? m.ExpressionBody),
            IBlockOperation b => Flatten(b),
            _ => new List<IOperation> { body },
        };
        LowerList(statements, 0, block, env);
        return block;
    }

    private static List<IOperation> Flatten(IOperation? op)
    {
        if (op is null)
        {
            return new List<IOperation>();
        }

        if (op is IBlockOperation b)
        {
            var list = new List<IOperation>();
            foreach (var s in b.Operations)
            {
                list.AddRange(Flatten(s));
            }

            return list;
        }

        return new List<IOperation> { op };
    }

    /// <summary>Lowers statements[index..] into <paramref name="block"/>, ending at a return, a throw or a terminal if.</summary>
    private void LowerList(IReadOnlyList<IOperation> statements, int index, Block block, Env env)
    {
        LowerListCore(statements, index, block, env);
        if (!block.IsTerminal && _loops.Count > 0)
        {
            // The end of a loop body: carry the values to the next iteration.
            EndIteration(block, env, new ContinueStmt(isEnd: true));
        }
    }

    private void LowerListCore(IReadOnlyList<IOperation> statements, int index, Block block, Env env)
    {
        var saved = _current;
        _current = block;
        try
        {
            for (int i = index; i < statements.Count; i++)
            {
                _cancellationToken.ThrowIfCancellationRequested();
                if (++_statementCount > MaxStatements)
                {
                    if (!_tooManyReported)
                    {
                        _tooManyReported = true;
                        Report(DiagnosticDescriptors.TooManyPaths, _method.Locations.FirstOrDefault(), _method.Name, MaxStatements.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    }

                    return;
                }

                var s = statements[i];
                if (s is ILabeledOperation { Operation: { } labeled } && _diagnostics.Count > 0)
                {
                    // Only a goto makes a label matter, and the goto has been reported.
                    s = labeled;
                }

                if (s is IConditionalOperation ifOp)
                {
                    if (ContainsExit(ifOp))
                    {
                        var rest = statements.Skip(i + 1).ToList();
                        var condition = LowerCondition(ifOp.Condition, env);
                        var thenList = Flatten(ifOp.WhenTrue).Concat(rest).ToList();
                        var elseList = Flatten(ifOp.WhenFalse).Concat(rest).ToList();
                        var thenBlock = new Block();
                        var elseBlock = new Block();
                        LowerList(thenList, 0, thenBlock, env.Copy());
                        LowerList(elseList, 0, elseBlock, env.Copy());
                        block.Statements.Add(new IfStmt(condition, thenBlock, elseBlock, Array.Empty<Var>(), terminal: true));
                        return;
                    }

                    LowerIf(ifOp, env);
                    continue;
                }

                if (s is IReturnOperation ret)
                {
                    if (ret.ReturnedValue is null)
                    {
                        return;
                    }

                    var value = LowerExpr(ret.ReturnedValue, env);
                    block.Statements.Add(new ReturnStmt(value, inLoop: _loops.Count > 0));
                    return;
                }

                if (s is IBranchOperation { BranchKind: BranchKind.Continue or BranchKind.Break } jump && _loops.Count > 0)
                {
                    EndIteration(block, env, jump.BranchKind == BranchKind.Continue ? new ContinueStmt(isEnd: false) : new BreakStmt());
                    return;
                }

                if (s is ILoopOperation loop)
                {
                    bool returns = loop.Descendants().Any(d => d is IReturnOperation);
                    LowerLoop(loop, env);
                    if (returns)
                    {
                        // The loop may have returned: what follows runs only if it did not.
                        var rest = statements.Skip(i + 1).ToList();
                        Stmt exited = _loops.Count > 0 ? new BreakStmt(exiting: true) : new ExitedStmt();
                        if (rest.Count == 0 && _loops.Count == 0)
                        {
                            // At method level nothing can follow a loop that did not return but an endless one.
                            block.Statements.Add(exited);
                            return;
                        }

                        var thenBlock = new Block();
                        LowerList(rest, 0, thenBlock, env.Copy());
                        var elseBlock = new Block();
                        elseBlock.Statements.Add(exited);
                        var notReturned = new InlineExpr(InlineForm.Prefix, "!", new Expr[] { new VarExpr(ExitFlag) }, IrType.Bool, Printer.Unary);
                        block.Statements.Add(new IfStmt(notReturned, thenBlock, elseBlock, Array.Empty<Var>(), terminal: true));
                        return;
                    }

                    continue;
                }

                if (s is IThrowOperation || (s is IExpressionStatementOperation { Operation: IThrowOperation }))
                {
                    var thr = s as IThrowOperation ?? (IThrowOperation)((IExpressionStatementOperation)s).Operation;
                    LowerThrow(thr);
                    return;
                }

                LowerStatement(s, env);
            }
        }
        finally
        {
            _current = saved;
        }
    }

    private void LowerIf(IConditionalOperation ifOp, Env env)
    {
        var condition = LowerCondition(ifOp.Condition, env);
        var thenEnv = env.Copy();
        var elseEnv = env.Copy();
        var thenBlock = new Block();
        var elseBlock = new Block();
        var outer = _current;
        _branchDepth++;
        LowerListCore(Flatten(ifOp.WhenTrue), 0, thenBlock, thenEnv);
        LowerListCore(Flatten(ifOp.WhenFalse), 0, elseBlock, elseEnv);
        _branchDepth--;
        _current = outer;

        var merges = new List<Var>();
        foreach (var symbol in thenEnv.Symbols.Where(elseEnv.Has).OrderBy(KeyName, StringComparer.Ordinal).ThenBy(KeyOrder))
        {
            var a = thenEnv.Get(symbol)!;
            var b = elseEnv.Get(symbol)!;
            if (ReferenceEquals(a, b))
            {
                continue;
            }

            if (a.Type.Kind == ValueKind.Array)
            {
                continue;
            }

            var m = _vars.New(KeyName(symbol), a.Type, VarRole.Merge);
            thenBlock.Statements.Add(new MoveStmt(m, a));
            elseBlock.Statements.Add(new MoveStmt(m, b));
            merges.Add(m);
            env.Set(symbol, new VarExpr(m));
        }

        _current.Statements.Add(new IfStmt(condition, thenBlock, elseBlock, merges, terminal: false));
    }

    private static string KeyName(object key) => key is ISymbol s ? s.Name : "i";

    private static int KeyOrder(object key) => key is ISymbol s ? s.Locations.FirstOrDefault()?.SourceSpan.Start ?? 0 : -1;

    /// <summary>Does <paramref name="op"/> leave the current statement list: return, throw, or break/continue of the enclosing loop.</summary>
    private static bool ContainsExit(IOperation op)
    {
        foreach (var child in op.ChildOperations)
        {
            if (child is IReturnOperation or IThrowOperation or IBranchOperation { BranchKind: BranchKind.Break or BranchKind.Continue })
            {
                return true;
            }

            if (child is ILoopOperation nested)
            {
                if (nested.Descendants().Any(d => d is IReturnOperation or IThrowOperation))
                {
                    return true;
                }

                continue;
            }

            if (ContainsExit(child))
            {
                return true;
            }
        }

        return false;
    }

    private void LowerThrow(IThrowOperation thr)
    {
        if (thr.Exception is { } ex && ex.DescendantsAndSelf().FirstOrDefault(d => d is ILocalReferenceOperation) is { } local)
        {
            Report(DiagnosticDescriptors.UnsupportedExpression, local.Syntax.GetLocation(), local.Syntax.ToString(), "a local in a throw",
                "a throw in a [Differentiable] method may only use parameters and constants in its exception");
            return;
        }

        HasThrow = true;
        string text = thr.Syntax is ThrowStatementSyntax ts && ts.Expression is not null
            ? "throw " + ts.Expression.ToString() + ";"
            : thr.Syntax is ThrowExpressionSyntax te ? "throw " + te.Expression.ToString() + ";" : "throw;";
        _current.Statements.Add(new ThrowStmt(text));
    }

    private void LowerStatement(IOperation s, Env env)
    {
        switch (s)
        {
            case IEmptyOperation:
                return;
            case IVariableDeclarationGroupOperation group:
                foreach (var declaration in group.Declarations)
                {
                    foreach (var declarator in declaration.Declarators)
                    {
                        var init = declarator.Initializer ?? declaration.Initializer;
                        if (init is null)
                        {
                            continue;
                        }

                        if (declarator.Symbol.IsConst)
                        {
                            continue;
                        }

                        if (TryLowerArrayCreation(declarator.Symbol, init.Value, env))
                        {
                            continue;
                        }

                        Define(declarator.Symbol, LowerExpr(init.Value, env), env, init.Value.Syntax);
                    }
                }

                return;
            case IExpressionStatementOperation expressionStatement:
                LowerExpressionStatement(expressionStatement.Operation, env);
                return;
            default:
                ReportStatement(s);
                return;
        }
    }

    private void LowerExpressionStatement(IOperation op, Env env)
    {
        switch (op)
        {
            case ISimpleAssignmentOperation assign when IsElementTarget(assign.Target):
                LowerElementAssignment(assign.Target, env, current => LowerExpr(assign.Value, env), assign.Syntax);
                return;
            case ICompoundAssignmentOperation compoundElement when IsElementTarget(compoundElement.Target):
                LowerElementAssignment(compoundElement.Target, env, current => Binary(compoundElement.OperatorKind, current, LowerExpr(compoundElement.Value, env), current.Type, compoundElement.Syntax), compoundElement.Syntax);
                return;
            case IIncrementOrDecrementOperation incElement when IsElementTarget(incElement.Target):
                LowerElementAssignment(incElement.Target, env, current => Binary(incElement.Kind == OperationKind.Increment ? BinaryOperatorKind.Add : BinaryOperatorKind.Subtract, current, new ConstExpr(1, current.Type), current.Type, incElement.Syntax), incElement.Syntax);
                return;
            case ISimpleAssignmentOperation assign:
                if (AssignableSymbol(assign.Target) is { } target)
                {
                    Define(target, LowerExpr(assign.Value, env), env, assign.Syntax);
                }

                return;
            case ICompoundAssignmentOperation compound:
                if (AssignableSymbol(compound.Target) is { } t)
                {
                    if ((compound.OperatorMethod is not null && !IsGenericMathMember(compound.OperatorMethod)) || compound.InConversion.Exists && !compound.InConversion.IsIdentity || compound.OutConversion.Exists && !compound.OutConversion.IsIdentity)
                    {
                        Report(DiagnosticDescriptors.UnsupportedExpression, compound.Syntax.GetLocation(), compound.Syntax.ToString(), "a compound assignment with a conversion",
                            "write it out as 'x = (T)(x op y)'");
                        return;
                    }

                    var current = LowerExpr(compound.Target, env);
                    var value = LowerExpr(compound.Value, env);
                    Define(t, Binary(compound.OperatorKind, current, value, TypeOf(compound.Type!), compound.Syntax), env, compound.Syntax);
                }

                return;
            case IIncrementOrDecrementOperation inc:
                if (AssignableSymbol(inc.Target) is { } it)
                {
                    var current = LowerExpr(inc.Target, env);
                    var type = current.Type;
                    Expr one = type.IsReal ? new ConstExpr(1, type) : new LiteralExpr("1", type);
                    var kind = inc.Kind == OperationKind.Increment ? BinaryOperatorKind.Add : BinaryOperatorKind.Subtract;
                    Define(it, Binary(kind, current, one, type, inc.Syntax), env, inc.Syntax);
                }

                return;
            case IInvocationOperation call:
                Report(DiagnosticDescriptors.UnsupportedStatement, call.Syntax.GetLocation(), "A call whose result is discarded",
                    "a [Differentiable] method must be a pure computation: use the call's value in the result, or remove the call");
                return;
            default:
                ReportExpression(op);
                return;
        }
    }

    /// <summary>The local or parameter an assignment writes to; reports writes to anything else.</summary>
    private ISymbol? AssignableSymbol(IOperation target)
    {
        switch (target)
        {
            case ILocalReferenceOperation l:
                return l.Local;
            case IParameterReferenceOperation p:
                return p.Parameter;
            case IFieldReferenceOperation f:
                Report(DiagnosticDescriptors.SideEffect, target.Syntax.GetLocation(), target.Syntax.ToString(), "field '" + f.Field.Name + "'");
                return null;
            case IPropertyReferenceOperation pr:
                Report(DiagnosticDescriptors.SideEffect, target.Syntax.GetLocation(), target.Syntax.ToString(), "property '" + pr.Property.Name + "'");
                return null;
            case IArrayElementReferenceOperation:
                Report(DiagnosticDescriptors.SideEffect, target.Syntax.GetLocation(), target.Syntax.ToString(), "an array element");
                return null;
            default:
                ReportExpression(target);
                return null;
        }
    }

    private void Define(ISymbol symbol, Expr value, Env env, SyntaxNode source)
    {
        var type = value.Type;
        if (type.Kind == ValueKind.Array || (symbol is ILocalSymbol { Type: var localType } && IsAliasOfData(localType, value)))
        {
            // Arrays are references: a local that names one is an alias.
            env.Set(symbol, value);
            return;
        }

        var v = _vars.New(symbol.Name, type, VarRole.Local);
        v.Source = SourceText(source);
        _current.Statements.Add(new AssignStmt(v, value));
        env.Set(symbol, new VarExpr(v));
    }

    private Expr LowerCondition(IOperation condition, Env env)
    {
        var e = LowerExpr(condition, env);
        return e;
    }

    private Expr LowerExpr(IOperation op, Env env)
    {
        _cancellationToken.ThrowIfCancellationRequested();
        var type = op.Type;
        if (type?.TypeKind == TypeKind.Dynamic)
        {
            // Report where the dynamic value comes from, not every expression it flows into.
            var origin = op.DescendantsAndSelf().FirstOrDefault(d =>
                d.Type?.TypeKind == TypeKind.Dynamic && d is not IConversionOperation && !d.ChildOperations.Any(c => c.Type?.TypeKind == TypeKind.Dynamic)) ?? op;
            Report(DiagnosticDescriptors.DynamicOperation, origin.Syntax.GetLocation(), SourceText(origin.Syntax));
            return Poison(null);
        }

        if (op.ConstantValue.HasValue && type is not null)
        {
            return Constant(op.ConstantValue.Value, type);
        }

        switch (op)
        {
            case IConversionOperation conversion:
                return LowerConversion(conversion, env);
            case IParameterReferenceOperation p:
                return env.Get(p.Parameter) ?? Unassigned(op);
            case ILocalReferenceOperation l:
                return env.Get(l.Local) ?? Unassigned(op);
            case IFieldReferenceOperation f:
                return Member(f.Instance, f.Field, f.Field.Type, env, op);
            case IArrayElementReferenceOperation element:
                return LowerElementRead(element.ArrayReference, element.Indices, env, op);
            case IPropertyReferenceOperation pr when pr.Property.IsIndexer && pr.Instance is not null && Discovery.MethodFacts.ArrayElement(pr.Instance.Type!) is not null:
                return LowerElementRead(pr.Instance, pr.Arguments.Select(a => a.Value).ToList(), env, op);
            case IPropertyReferenceOperation pr:
                if (pr.Arguments.Length > 0)
                {
                    return NotYet(op, "Indexers other than those of arrays and spans", "read the value into a local outside the method, or pass it as a parameter");
                }

                return Member(pr.Instance, pr.Property, pr.Property.Type, env, op);
            case IInstanceReferenceOperation:
                return new InlineExpr(InlineForm.Text, "this", Array.Empty<Expr>(), TypeOf(type!), Printer.Primary);
            case IBinaryOperation binary:
                if (binary.OperatorMethod is not null && !IsGenericMathMember(binary.OperatorMethod))
                {
                    return Unsupported(op, "a user-defined operator", "use double or float arithmetic");
                }

                return Binary(binary.OperatorKind, LowerExpr(binary.LeftOperand, env), LowerExpr(binary.RightOperand, env), TypeOf(binary.Type!), op.Syntax);
            case IUnaryOperation unary:
                return LowerUnary(unary, env);
            case IInvocationOperation invocation:
                return LowerInvocation(invocation, env);
            case IConditionalOperation ternary when ternary.WhenFalse is not null:
                return LowerTernary(ternary, env);
            case IParenthesizedOperation paren:
                return LowerExpr(paren.Operand, env);
            case IDefaultValueOperation when type is not null && TypeOf(type).Kind != ValueKind.Other:
                return Constant(0, type);
            default:
                ReportExpression(op);
                return Poison(type);
        }
    }

    private Expr LowerTernary(IConditionalOperation ternary, Env env)
    {
        var condition = LowerCondition(ternary.Condition, env);
        var type = TypeOf(ternary.Type!);
        var outer = _current;
        var thenBlock = new Block();
        var elseBlock = new Block();
        _current = thenBlock;
        var a = LowerExpr(ternary.WhenTrue, env);
        _current = elseBlock;
        var b = LowerExpr(ternary.WhenFalse!, env);
        _current = outer;
        if (!type.IsReal && thenBlock.Statements.Count == 0 && elseBlock.Statements.Count == 0)
        {
            return new InlineExpr(InlineForm.Conditional, "?:", new[] { condition, a, b }, type, Printer.Conditional);
        }

        // A real-valued ?: becomes an if with a merge: only the branch taken is evaluated and differentiated.
        var m = _vars.New("t", type, VarRole.Merge);
        m.Source = SourceText(ternary.Syntax);
        thenBlock.Statements.Add(new MoveStmt(m, a));
        elseBlock.Statements.Add(new MoveStmt(m, b));
        _current.Statements.Add(new IfStmt(condition, thenBlock, elseBlock, new[] { m }, terminal: false));
        return new VarExpr(m);
    }

    private Expr LowerConversion(IConversionOperation conversion, Env env)
    {
        var operand = LowerExpr(conversion.Operand, env);
        var converted = TypeOf(conversion.Type!);
        if (operand.Type.Kind == ValueKind.Array && converted.Kind == ValueKind.Array && operand.Type.Element?.CSharp == converted.Element?.CSharp)
        {
            // T[] → Span<T> → ReadOnlySpan<T>: views of the same elements; C# applies the same conversion in the generated code.
            return operand;
        }

        if (conversion.OperatorMethod is not null)
        {
            return Unsupported(conversion, "a user-defined conversion", "convert between double, float and integers only");
        }

        var target = TypeOf(conversion.Type!);
        if (conversion.Conversion.IsIdentity || target.CSharp == operand.Type.CSharp)
        {
            return operand;
        }

        if (!conversion.Conversion.IsNumeric)
        {
            if (target.Kind == ValueKind.Other && operand.Type.Kind == ValueKind.Other)
            {
                return new InlineExpr(InlineForm.Cast, target.CSharp, new[] { operand }, target, Printer.Unary);
            }

            return Unsupported(conversion, "a conversion from " + operand.Type + " to " + target, "convert between double, float and integers only");
        }

        if (target.IsReal && operand.Type.IsReal)
        {
            return new OpExpr(Op.Convert, new[] { operand }, target, SourceText(conversion.Syntax));
        }

        // int → real is a constant; real → int has derivative zero: both are printed in place.
        return new InlineExpr(InlineForm.Cast, target.CSharp, new[] { operand }, target, Printer.Unary);
    }

    private Expr LowerUnary(IUnaryOperation unary, Env env)
    {
        if (unary.OperatorMethod is not null && !IsGenericMathMember(unary.OperatorMethod))
        {
            return Unsupported(unary, "a user-defined operator", "use double or float arithmetic");
        }

        var operand = LowerExpr(unary.Operand, env);
        var type = TypeOf(unary.Type!);
        switch (unary.OperatorKind)
        {
            case UnaryOperatorKind.Plus:
                return operand;
            case UnaryOperatorKind.Minus when type.IsReal:
                return new OpExpr(Op.Neg, new[] { operand }, type, SourceText(unary.Syntax));
            case UnaryOperatorKind.Minus:
                return new InlineExpr(InlineForm.Prefix, "-", new[] { operand }, type, Printer.Unary);
            case UnaryOperatorKind.Not:
                return new InlineExpr(InlineForm.Prefix, "!", new[] { operand }, type, Printer.Unary);
            case UnaryOperatorKind.BitwiseNegation:
                return new InlineExpr(InlineForm.Prefix, "~", new[] { operand }, type, Printer.Unary);
            default:
                return Unsupported(unary, "the operator " + unary.OperatorKind, "use +, -, *, / and the Math functions");
        }
    }

    private Expr Binary(BinaryOperatorKind kind, Expr left, Expr right, IrType type, SyntaxNode syntax)
    {
        if (type.IsReal && left.Type.IsReal && right.Type.IsReal)
        {
            Op? op = kind switch
            {
                BinaryOperatorKind.Add => Op.Add,
                BinaryOperatorKind.Subtract => Op.Sub,
                BinaryOperatorKind.Multiply => Op.Mul,
                BinaryOperatorKind.Divide => Op.Div,
                BinaryOperatorKind.Remainder => Op.Rem,
                _ => null,
            };
            if (op is { } o)
            {
                return new OpExpr(o, new[] { left, right }, type, SourceText(syntax));
            }
        }

        (string token, int precedence)? inline = kind switch
        {
            BinaryOperatorKind.Add => ("+", Printer.Additive),
            BinaryOperatorKind.Subtract => ("-", Printer.Additive),
            BinaryOperatorKind.Multiply => ("*", Printer.Multiplicative),
            BinaryOperatorKind.Divide => ("/", Printer.Multiplicative),
            BinaryOperatorKind.Remainder => ("%", Printer.Multiplicative),
            BinaryOperatorKind.LeftShift => ("<<", 12),
            BinaryOperatorKind.RightShift => (">>", 12),
            BinaryOperatorKind.And => ("&", 9),
            BinaryOperatorKind.ExclusiveOr => ("^", 8),
            BinaryOperatorKind.Or => ("|", 7),
            BinaryOperatorKind.ConditionalAnd => ("&&", Printer.LogicalAnd),
            BinaryOperatorKind.ConditionalOr => ("||", Printer.LogicalOr),
            BinaryOperatorKind.Equals => ("==", Printer.Equality),
            BinaryOperatorKind.NotEquals => ("!=", Printer.Equality),
            BinaryOperatorKind.LessThan => ("<", Printer.Relational),
            BinaryOperatorKind.LessThanOrEqual => ("<=", Printer.Relational),
            BinaryOperatorKind.GreaterThan => (">", Printer.Relational),
            BinaryOperatorKind.GreaterThanOrEqual => (">=", Printer.Relational),
            _ => null,
        };

        if (inline is { } t && (type.Kind is ValueKind.Integer or ValueKind.Bool || (type.IsReal && !left.Type.IsReal && !right.Type.IsReal)))
        {
            return new InlineExpr(InlineForm.Binary, t.token, new[] { left, right }, type, t.precedence);
        }

        Report(DiagnosticDescriptors.UnsupportedExpression, syntax.GetLocation(), SourceText(syntax), "the operator " + kind + " on " + type,
            "use arithmetic on double, float and integers, and comparisons");
        return new LiteralExpr("default", type);
    }

    /// <summary>A static abstract member of a System.Numerics interface, reached through a type parameter (T.One, T.Exp, +).</summary>
    private static bool IsGenericMathMember(ISymbol member) =>
        member.IsStatic && member.ContainingType is { TypeKind: TypeKind.Interface } owner && owner.ContainingNamespace?.ToDisplayString() == "System.Numerics";

    private static readonly Dictionary<string, double> GenericConstants = new(StringComparer.Ordinal)
    {
        ["Zero"] = 0,
        ["One"] = 1,
        ["NegativeOne"] = -1,
        ["Pi"] = Math.PI,
        ["E"] = Math.E,
        ["Tau"] = 2 * Math.PI,
        ["NaN"] = double.NaN,
        ["PositiveInfinity"] = double.PositiveInfinity,
        ["NegativeInfinity"] = double.NegativeInfinity,
    };

    private Expr Member(IOperation? instance, ISymbol member, ITypeSymbol memberType, Env env, IOperation op)
    {
        var type = TypeOf(memberType);
        if (IsGenericMathMember(member))
        {
            if (type.IsReal && GenericConstants.TryGetValue(member.Name, out double constant))
            {
                return new ConstExpr(constant, type);
            }

            return Unsupported(op, "the generic math member " + member.Name, "use T.Zero, T.One, T.Pi, T.E, T.CreateChecked(constant) and the math functions");
        }

        string name = EscapeIdentifier(member.Name);
        if (member.IsStatic)
        {
            string owner = member.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
            return new InlineExpr(InlineForm.Text, owner + "." + name, Array.Empty<Expr>(), type, Printer.Primary);
        }

        if (instance is null || instance is IInstanceReferenceOperation)
        {
            return new InlineExpr(InlineForm.Text, "this." + name, Array.Empty<Expr>(), type, Printer.Primary);
        }

        var target = LowerExpr(instance, env);
        if (target.Type.IsReal)
        {
            return Unsupported(op, "a member of a number", "use the Math functions");
        }

        return new InlineExpr(InlineForm.Member, name, new[] { target }, type, Printer.Primary);
    }

    private Expr LowerInvocation(IInvocationOperation invocation, Env env)
    {
        var method = invocation.TargetMethod;
        if (method.MethodKind == MethodKind.DelegateInvoke)
        {
            Report(DiagnosticDescriptors.DelegateOperation, invocation.Syntax.GetLocation(), SourceText(invocation.Syntax), "invokes a delegate");
            return Poison(invocation.Type);
        }

        if (method.MethodKind == MethodKind.LocalFunction)
        {
            Report(DiagnosticDescriptors.DelegateOperation, invocation.Syntax.GetLocation(), SourceText(invocation.Syntax), "calls a local function");
            return Poison(invocation.Type);
        }

        var args = new Expr[method.Parameters.Length];
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter is null || argument.ArgumentKind == ArgumentKind.ParamArray)
            {
                return Unsupported(invocation, "a call with a params array", "pass the values as separate parameters");
            }

            if (argument.Parameter.RefKind != RefKind.None)
            {
                return Unsupported(invocation, "a call with a ref, out or in argument", "pass values by value");
            }

            args[argument.Parameter.Ordinal] = LowerExpr(argument.Value, env);
        }

        string containing = method.ContainingType.ContainingNamespace.ToDisplayString() + "." + method.ContainingType.MetadataName;
        if (Discovery.MethodFacts.IsDifferentiable(method))
        {
            return LowerDifferentiableCall(invocation, method, args, env);
        }

        if (IsGenericMathMember(method))
        {
            return LowerGenericMathCall(invocation, method, args);
        }

        var returnType = TypeOf(method.ReturnType);
        if (method.Name is "GetLength" && containing == "System.Array" && invocation.Instance is not null && args.Length == 1)
        {
            var receiver = LowerExpr(invocation.Instance, env);
            if (IsData(receiver) && IsData(args[0]))
            {
                return new InlineExpr(InlineForm.MethodCall, "GetLength", new[] { receiver, args[0] }, returnType, Printer.Primary);
            }
        }

        if (KnownMethods.TryGetOp(containing, method.Name, args.Length, out var op)
            && returnType.IsReal && args.All(a => a.Type.IsReal || a.Type.Kind == ValueKind.Integer))
        {
            if (op == Op.Round && args.Length != 1)
            {
                return Unsupported(invocation, "Round with digits or a rounding mode", "use Math.Round(x)");
            }

            return new OpExpr(op, args, returnType, SourceText(invocation.Syntax));
        }

        if (KnownMethods.MathTypes.Contains(containing) && returnType.Kind is ValueKind.Bool or ValueKind.Integer)
        {
            // Sign, IsNaN, IsFinite, integer Abs/Max/Min...: their values carry no derivative.
            string target = method.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + "." + method.Name;
            return new InlineExpr(InlineForm.Call, target, args, returnType, Printer.Primary);
        }

        Report(DiagnosticDescriptors.UnknownDerivative, invocation.Syntax.GetLocation(),
            method.ContainingType.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat) + "." + method.Name);
        return Poison(invocation.Type);
    }

    /// <summary>T.Exp(x), T.Max(a, b), T.CreateChecked(2.0)...: the generic forms of the supported math.</summary>
    private Expr LowerGenericMathCall(IInvocationOperation invocation, IMethodSymbol method, Expr[] args)
    {
        var returnType = TypeOf(method.ReturnType);
        if (method.Name is "CreateChecked" or "CreateSaturating" or "CreateTruncating" && args.Length == 1)
        {
            if (args[0] is ConstExpr c)
            {
                return new ConstExpr(c.Value, returnType);
            }

            if (args[0] is LiteralExpr l && double.TryParse(l.Text.TrimEnd('L', 'U', 'l', 'u'), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double v))
            {
                return new ConstExpr(v, returnType);
            }

            if (!args[0].Type.IsReal)
            {
                return new InlineExpr(InlineForm.Call, returnType.CSharp + "." + method.Name, args, returnType, Printer.Primary);
            }

            return Unsupported(invocation, "converting a real value with " + method.Name, "write the method for one type T, or convert a constant");
        }

        if (returnType.IsReal && KnownMethods.TryGetOp("System.Double", method.Name, args.Length, out var op) && args.All(a => a.Type.IsReal || a.Type.Kind == ValueKind.Integer))
        {
            return new OpExpr(op, args, returnType, SourceText(invocation.Syntax));
        }

        if (returnType.Kind is ValueKind.Bool or ValueKind.Integer && invocation.Instance is null)
        {
            string owner = method.Parameters.Select(p => p.Type).OfType<ITypeParameterSymbol>().Select(t => t.Name).FirstOrDefault() ?? "T";
            return new InlineExpr(InlineForm.Call, owner + "." + method.Name, args, returnType, Printer.Primary);
        }

        Report(DiagnosticDescriptors.UnknownDerivative, invocation.Syntax.GetLocation(), method.ContainingType.Name + "." + method.Name);
        return Poison(invocation.Type);
    }

    private Expr LowerDifferentiableCall(IInvocationOperation invocation, IMethodSymbol method, Expr[] args, Env env)
    {
        if (method.IsGenericMethod)
        {
            return NotYet(invocation, "Calling a generic [Differentiable] method", "call a non-generic overload");
        }

        var returnType = TypeOf(method.ReturnType);
        if (!returnType.IsReal)
        {
            return Unsupported(invocation, "a [Differentiable] method that does not return double or float", "fix the callee");
        }

        string receiver;
        if (method.IsStatic)
        {
            receiver = method.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        }
        else if (invocation.Instance is null || invocation.Instance is IInstanceReferenceOperation)
        {
            receiver = "this";
        }
        else
        {
            var instance = LowerExpr(invocation.Instance, env);
            if (instance.Vars().Any())
            {
                return NotYet(invocation, "Calling a [Differentiable] method on a parameter or local", "call it on 'this' or make it static");
            }

            receiver = Printer.CSharp(instance);
        }

        // Arrays passed to a callee that differentiates them must be parameters: the reverse sweep calls the callee's
        // gradient again and needs the same contents (a local array may have been written since).
        foreach (var p in method.Parameters.Where(p => Discovery.MethodFacts.IsDifferentiableParameter(p) && Discovery.MethodFacts.ArrayElement(p.Type) is not null))
        {
            if (args[p.Ordinal] is not VarExpr { Var: { Role: VarRole.Parameter } })
            {
                return NotYet(invocation, "Passing a local array or an expression to a [Differentiable] method that differentiates an array",
                    "pass one of this method's array or span parameters, or write the loop in the caller");
            }
        }

        var differentiable = method.Parameters.Select(Discovery.MethodFacts.IsDifferentiableParameter).ToArray();
        var target = new CallTarget(
            receiver,
            method.Name,
            returnType,
            differentiable,
            method.Parameters.Select(p => TypeOf(p.Type)).ToArray(),
            method.Parameters.Select(p => p.Name).ToArray());
        return new CallExpr(target, args, SourceText(invocation.Syntax));
    }

    private static Expr Constant(object? value, ITypeSymbol type)
    {
        var irType = TypeOf(type);
        switch (value)
        {
            case double d when irType.IsReal:
                return new ConstExpr(d, irType);
            case float f when irType.IsReal:
                return new ConstExpr(f, irType);
            case bool b:
                return new LiteralExpr(b ? "true" : "false", IrType.Bool);
            case null:
                return new LiteralExpr("default", irType);
            case string s:
                return new LiteralExpr(Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(s, quote: true), irType);
            case char c:
                return new LiteralExpr(Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(c, quote: true), irType);
        }

        if (irType.IsReal)
        {
            return new ConstExpr(System.Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture), irType);
        }

        string text = System.Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "default";
        text = type.SpecialType switch
        {
            SpecialType.System_Int64 => text + "L",
            SpecialType.System_UInt32 => text + "U",
            SpecialType.System_UInt64 => text + "UL",
            SpecialType.System_Decimal => text + "m",
            SpecialType.System_Int32 => text,
            _ => "(" + irType.CSharp + ")" + text,
        };
        return new LiteralExpr(text, irType);
    }

    public static IrType TypeOf(ITypeSymbol type)
    {
        if (Discovery.MethodFacts.IsGenericReal(type))
        {
            return IrType.GenericReal(type.Name);
        }

        if (Discovery.MethodFacts.ArrayElement(type) is { } element)
        {
            return IrType.ArrayOf(TypeOf(element), type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), Discovery.MethodFacts.IsSpan(type));
        }

        switch (type.SpecialType)
        {
            case SpecialType.System_Double:
                return IrType.Double;
            case SpecialType.System_Single:
                return IrType.Single;
            case SpecialType.System_Boolean:
                return IrType.Bool;
            case SpecialType.System_SByte:
            case SpecialType.System_Byte:
            case SpecialType.System_Int16:
            case SpecialType.System_UInt16:
            case SpecialType.System_Int32:
            case SpecialType.System_UInt32:
            case SpecialType.System_Int64:
            case SpecialType.System_UInt64:
            case SpecialType.System_Char:
                return IrType.Of(ValueKind.Integer, type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat));
            default:
                return IrType.Of(ValueKind.Other, type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat));
        }
    }

    public static string EscapeIdentifier(string name) =>
        Microsoft.CodeAnalysis.CSharp.SyntaxFacts.GetKeywordKind(name) != Microsoft.CodeAnalysis.CSharp.SyntaxKind.None ? "@" + name : name;

    /// <summary>The user's text for a node, on one line and at most 80 characters, for comments.</summary>
    public static string SourceText(SyntaxNode node)
    {
        var text = System.Text.RegularExpressions.Regex.Replace(node.ToString(), @"\s+", " ").Trim();
        return text.Length <= 80 ? text : text.Substring(0, 77) + "...";
    }

    /// <summary>A variable with no value here: only after an error already reported (C# itself forbids it otherwise).</summary>
    private Expr Unassigned(IOperation op) =>
        _diagnostics.Count > 0 ? Poison(op.Type) : Unsupported(op, "a variable with no value here", "assign it on every path before use");

    private Expr Poison(ITypeSymbol? type) => new LiteralExpr("default", type is null ? IrType.Double : TypeOf(type));

    /// <summary>The current SSA value of every local and parameter.</summary>
    /// <summary>The current SSA value of every local and parameter (and of synthetic loop counters).</summary>
    private sealed class Env
    {
        private readonly Dictionary<object, Expr> _values;

        public Env()
            : this(new Dictionary<object, Expr>(KeyComparer.Instance))
        {
        }

        private Env(Dictionary<object, Expr> values) => _values = values;

        public IEnumerable<object> Symbols => _values.Keys;

        public Env Copy() => new(new Dictionary<object, Expr>(_values, KeyComparer.Instance));

        public bool Has(object s) => _values.ContainsKey(s);

        public Expr? Get(object s) => _values.TryGetValue(s, out var e) ? e : null;

        public void Set(object s, Expr e) => _values[s] = e;
    }

    private sealed class KeyComparer : IEqualityComparer<object>
    {
        public static readonly KeyComparer Instance = new();

        public new bool Equals(object? x, object? y) =>
            x is ISymbol a && y is ISymbol b ? SymbolEqualityComparer.Default.Equals(a, b) : ReferenceEquals(x, y);

        public int GetHashCode(object obj) =>
            obj is ISymbol s ? SymbolEqualityComparer.Default.GetHashCode(s) : System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj);
    }
}
