package dev.fluxion.graph;

import dev.fluxion.DType;
import dev.fluxion.Shapes;
import dev.fluxion.cpu.kernels.KernelConfig;
import dev.fluxion.cpu.kernels.VectorFunctions;
import dev.fluxion.ops.BinaryFn;
import dev.fluxion.ops.Op;
import dev.fluxion.ops.UnaryFn;

import java.lang.classfile.ClassFile;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Compiles a fused elementwise group into one Vector API loop, generated as bytecode for that group: each element is
 * loaded once from every input, every member is computed in registers, and only materialized members (and those a
 * fused reduction folds, into tile buffers) are stored. The tile interpreter ({@link CpuFusedRunner}) instead runs one
 * array kernel per member over a tile, writing and re-reading each intermediate; for an optimizer update of a dozen
 * ops that is most of its time.
 *
 * <p>A loop is made only for groups of at least {@link #MIN_ELEMENTS} elements whose every member has a vector form
 * here (arithmetic, min/max, comparisons, {@code where}, casts from bool, a few unary functions, and those whose
 * kernels are exact operations: exp, expm1, log, sigmoid, relu, elu, step, through {@link VectorFunctions}); other
 * groups stay on the interpreter, as do all groups when {@code -Dfluxion.graph.compiledLoops=false} is set while a
 * function is compiled or when SIMD is off. Each member applies the same Vector API operation as the interpreter's
 * kernel for that op, lane by lane, so the results are the interpreter's bits (tests compare both on every supported
 * op, and on groups that fold reductions).
 */
final class CpuFusedLoops {
    private CpuFusedLoops() {}

    /** A compiled group: computes {@code n} elements (a multiple of the vector length) of one tile. */
    interface Loop {
        /**
         * @param arrays  one array per slot: the group's external inputs, then its {@linkplain #storedMembers stored
         *                members}
         * @param offsets the element of each slot's array that the tile's first element reads or writes
         */
        void run(Object[] arrays, int[] offsets, int n);
    }

    /**
     * Smaller groups stay on the interpreter: each generated loop is its own code for the JIT to warm up, and a loop
     * of a few hundred vectors per call runs interpreted, then unoptimized, for thousands of calls (a 1280-element
     * optimizer update took 3.6% of an MLP step that way), while the interpreter's shared kernels are always hot.
     */
    static final int MIN_ELEMENTS = 1 << 14;

    /** Vector lanes of the compiled loops. */
    static final int LANES = KernelConfig.FLOATS.length();

    private static final ClassDesc FLOAT_VECTOR = ClassDesc.of("jdk.incubator.vector.FloatVector");
    private static final ClassDesc VECTOR = ClassDesc.of("jdk.incubator.vector.Vector");
    private static final ClassDesc VECTOR_MASK = ClassDesc.of("jdk.incubator.vector.VectorMask");
    private static final ClassDesc SPECIES = ClassDesc.of("jdk.incubator.vector.VectorSpecies");
    private static final ClassDesc OPERATORS = ClassDesc.of("jdk.incubator.vector.VectorOperators");
    private static final ClassDesc BINARY_OPERATOR = ClassDesc.of("jdk.incubator.vector.VectorOperators$Binary");
    private static final ClassDesc ASSOCIATIVE = ClassDesc.of("jdk.incubator.vector.VectorOperators$Associative");
    private static final ClassDesc COMPARISON = ClassDesc.of("jdk.incubator.vector.VectorOperators$Comparison");
    private static final ClassDesc KERNEL_CONFIG = ClassDesc.of(KernelConfig.class.getName());
    private static final ClassDesc VECTOR_FUNCTIONS = ClassDesc.of(VectorFunctions.class.getName());
    private static final ClassDesc LOOP = ClassDesc.of(Loop.class.getName());
    private static final ClassDesc FLOATS = ConstantDescs.CD_float.arrayType(), BOOLS = ConstantDescs.CD_boolean.arrayType();

    private static final MethodTypeDesc VECTOR_TO_VECTOR = MethodTypeDesc.of(FLOAT_VECTOR, VECTOR);
    private static final MethodTypeDesc TO_VECTOR = MethodTypeDesc.of(FLOAT_VECTOR);

    /**
     * The members a loop writes out: the materialized ones (to their full arrays) and those a fused reduction folds
     * or the pass's pooling reads (to the caller's tile buffers, which it folds or pools tile by tile).
     */
    static boolean[] storedMembers(CpuFusion.Fused group) {
        boolean[] stored = group.materialized().clone();
        Node[] ms = group.members();
        for (Node r : group.reductions())
            for (int i = 0; i < ms.length; i++) if (ms[i] == r.inputs[0]) stored[i] = true;
        if (group.pool() != null) // pooled from its tile
            for (int i = 0; i < ms.length; i++) if (ms[i] == group.pool().inputs[0]) stored[i] = true;
        return stored;
    }

    /**
     * A loop for the group, or null when some member has no vector form here (or compiled loops are off).
     * {@code slots} receives, in slot order, the external input nodes; the {@linkplain #storedMembers stored members}
     * follow them.
     */
    static Loop compile(CpuFusion.Fused group, int[][] producer, Map<Node, Integer> slots) {
        if (!KernelConfig.SIMD || "false".equals(System.getProperty("fluxion.graph.compiledLoops"))) return null;
        if (Shapes.size(group.shape()) < Integer.getInteger("fluxion.graph.minLoopElements", MIN_ELEMENTS)) return null;
        Node[] ms = group.members();
        for (int i = 0; i < ms.length; i++) {
            if (!supported(ms[i])) return null;
            for (int j = 0; j < producer[i].length; j++)
                if (producer[i][j] < 0) slots.putIfAbsent(ms[i].inputs[j], slots.size());
        }
        byte[] bytes = ClassFile.of().build(ClassDesc.of(CpuFusedLoops.class.getPackageName() + ".CompiledFusedLoop"), cb -> {
            cb.withFlags(ClassFile.ACC_FINAL | ClassFile.ACC_SYNTHETIC);
            cb.withInterfaceSymbols(LOOP);
            cb.withMethodBody(ConstantDescs.INIT_NAME, ConstantDescs.MTD_void, ClassFile.ACC_PUBLIC, code -> code
                    .aload(0).invokespecial(ConstantDescs.CD_Object, ConstantDescs.INIT_NAME, ConstantDescs.MTD_void).return_());
            cb.withMethodBody("run", MethodTypeDesc.of(ConstantDescs.CD_void, ConstantDescs.CD_Object.arrayType(),
                    ConstantDescs.CD_int.arrayType(), ConstantDescs.CD_int), ClassFile.ACC_PUBLIC,
                    code -> new Emitter(code, group, producer, slots).emit());
        });
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup().defineHiddenClass(bytes, true);
            return (Loop) lookup.findConstructor(lookup.lookupClass(), MethodType.methodType(void.class)).invoke();
        } catch (Throwable e) {
            throw new IllegalStateException("compiling the fused loop of " + ms[ms.length - 1] + " failed", e);
        }
    }

    private static boolean supported(Node m) {
        boolean floats = true;
        for (Node in : m.inputs) floats &= in.type.dtype() == DType.FLOAT32;
        return switch (m.op) {
            case Op.Binary b -> floats && switch (b.fn()) {
                case ADD, SUB, MUL, DIV, MAX, MIN, EQ, NE, LT, LE, GT, GE -> true;
                default -> false;
            };
            case Op.Unary u -> floats && m.type.dtype() == DType.FLOAT32 && switch (u.fn()) {
                case NEG, ABS, SQRT, SQUARE, RECIPROCAL, RSQRT, EXP, EXPM1, LOG, SIGMOID, RELU, ELU, STEP -> true;
                default -> false;
            };
            case Op.Where w -> m.inputs[0].type.dtype() == DType.BOOL && m.type.dtype() == DType.FLOAT32
                    && m.inputs[1].type.dtype() == DType.FLOAT32 && m.inputs[2].type.dtype() == DType.FLOAT32;
            case Op.Cast c -> m.inputs[0].type.dtype() == DType.BOOL && m.type.dtype() == DType.FLOAT32;
            default -> false;
        };
    }

    /** Writes the body of {@code run}. Locals: 0 this, 1 arrays, 2 offsets, 3 n, then the ones allocated here. */
    private static final class Emitter {
        private final CodeBuilder code;
        private final Node[] ms;
        private final boolean[] stored;
        private final int[][] producer;
        private final Map<Node, Integer> slots;
        private int nextLocal = 4;
        /** Per slot: its array's local, its offset's local, and for a one-element input the local of its broadcast. */
        private final int[] arrayLocal, offsetLocal, scalarLocal;
        /** Per slot (inputs): the local holding this element's vector (or mask); per member: its value's local. */
        private final int[] inputValue, memberValue;
        private final Map<String, Integer> constants = new LinkedHashMap<>();

        Emitter(CodeBuilder code, CpuFusion.Fused group, int[][] producer, Map<Node, Integer> slots) {
            this.code = code;
            this.ms = group.members();
            this.stored = storedMembers(group);
            this.producer = producer;
            this.slots = slots;
            int slotCount = slots.size();
            for (boolean m : stored) if (m) slotCount++;
            arrayLocal = new int[slotCount];
            offsetLocal = new int[slotCount];
            scalarLocal = new int[slotCount];
            inputValue = new int[slots.size()];
            memberValue = new int[ms.length];
        }

        void emit() {
            int slot = 0;
            for (Node in : slots.keySet()) prologue(slot++, in.type.dtype(), Shapes.size(in.type.shape()) == 1);
            for (int i = 0; i < ms.length; i++) if (stored[i]) prologue(slot++, ms[i].type.dtype(), false);
            // constants the members need, made once before the loop
            for (Node m : ms) {
                if (m.op instanceof Op.Cast) constant("zero", 0f);
                if (m.op instanceof Op.Cast || m.op instanceof Op.Unary u && (u.fn() == UnaryFn.RECIPROCAL || u.fn() == UnaryFn.RSQRT))
                    constant("one", 1f);
            }
            int i = local();
            for (int s = 0; s < inputValue.length; s++) inputValue[s] = local();
            for (int k = 0; k < ms.length; k++) memberValue[k] = local();
            code.iconst_0().istore(i);
            Label top = code.newLabel(), end = code.newLabel();
            code.labelBinding(top);
            code.iload(i).iload(3).if_icmpge(end);
            slot = 0;
            for (Node in : slots.keySet()) {
                if (scalarLocal[slot] < 0) load(slot, in.type.dtype(), i);
                slot++;
            }
            int out = slots.size();
            for (int k = 0; k < ms.length; k++) {
                member(k);
                code.astore(memberValue[k]);
                if (stored[k]) store(k, out++, i);
            }
            code.iinc(i, LANES).goto_(top);
            code.labelBinding(end);
            code.return_();
        }

        private int local() {
            int l = nextLocal;
            nextLocal += 1;
            return l;
        }

        /** Reads slot {@code s}'s array and offset into locals; a one-element input is broadcast once, here. */
        private void prologue(int s, DType dtype, boolean scalar) {
            arrayLocal[s] = local();
            offsetLocal[s] = local();
            scalarLocal[s] = -1;
            code.aload(1).loadConstant(s).aaload().checkcast(dtype == DType.BOOL ? BOOLS : FLOATS).astore(arrayLocal[s]);
            code.aload(2).loadConstant(s).iaload().istore(offsetLocal[s]);
            if (!scalar) return;
            scalarLocal[s] = local();
            species();
            if (dtype == DType.BOOL) { // species.maskAll(value)
                code.aload(arrayLocal[s]).iload(offsetLocal[s]).baload();
                code.invokeinterface(SPECIES, "maskAll", MethodTypeDesc.of(VECTOR_MASK, ConstantDescs.CD_boolean));
            } else {
                code.aload(arrayLocal[s]).iload(offsetLocal[s]).faload();
                code.invokestatic(FLOAT_VECTOR, "broadcast", MethodTypeDesc.of(FLOAT_VECTOR, SPECIES, ConstantDescs.CD_float));
            }
            code.astore(scalarLocal[s]);
        }

        private void constant(String name, float value) {
            if (constants.containsKey(name)) return;
            int l = local();
            constants.put(name, l);
            species();
            code.loadConstant(value);
            code.invokestatic(FLOAT_VECTOR, "broadcast", MethodTypeDesc.of(FLOAT_VECTOR, SPECIES, ConstantDescs.CD_float));
            code.astore(l);
        }

        private void species() {
            code.getstatic(KERNEL_CONFIG, "FLOATS", SPECIES);
        }

        private void index(int s, int i) {
            code.iload(offsetLocal[s]).iload(i).iadd();
        }

        private void load(int s, DType dtype, int i) {
            species();
            code.aload(arrayLocal[s]);
            index(s, i);
            if (dtype == DType.BOOL)
                code.invokestatic(VECTOR_MASK, "fromArray", MethodTypeDesc.of(VECTOR_MASK, SPECIES, BOOLS, ConstantDescs.CD_int));
            else
                code.invokestatic(FLOAT_VECTOR, "fromArray", MethodTypeDesc.of(FLOAT_VECTOR, SPECIES, FLOATS, ConstantDescs.CD_int));
            code.astore(inputValue[s]);
        }

        private void store(int k, int s, int i) {
            code.aload(memberValue[k]).aload(arrayLocal[s]);
            index(s, i);
            if (ms[k].type.dtype() == DType.BOOL)
                code.invokevirtual(VECTOR_MASK, "intoArray", MethodTypeDesc.of(ConstantDescs.CD_void, BOOLS, ConstantDescs.CD_int));
            else
                code.invokevirtual(FLOAT_VECTOR, "intoArray", MethodTypeDesc.of(ConstantDescs.CD_void, FLOATS, ConstantDescs.CD_int));
        }

        /** Pushes input j of member k: a member's value, a loaded input or a one-element input's broadcast. */
        private void operand(int k, int j) {
            int p = producer[k][j];
            if (p >= 0) {
                code.aload(memberValue[p]);
                return;
            }
            int s = slots.get(ms[k].inputs[j]);
            code.aload(scalarLocal[s] >= 0 ? scalarLocal[s] : inputValue[s]);
        }

        /** Pushes member k's value. */
        private void member(int k) {
            Node m = ms[k];
            switch (m.op) {
                case Op.Binary b -> binary(k, b.fn());
                case Op.Unary u -> unary(k, u.fn());
                case Op.Where w -> { // like the where kernel: y.blend(x, condition)
                    operand(k, 2);
                    operand(k, 1);
                    operand(k, 0);
                    code.invokevirtual(FLOAT_VECTOR, "blend", MethodTypeDesc.of(FLOAT_VECTOR, VECTOR, VECTOR_MASK));
                }
                case Op.Cast c -> { // bool to float: 1 where set, 0 elsewhere
                    code.aload(constants.get("zero")).aload(constants.get("one"));
                    operand(k, 0);
                    code.invokevirtual(FLOAT_VECTOR, "blend", MethodTypeDesc.of(FLOAT_VECTOR, VECTOR, VECTOR_MASK));
                }
                default -> throw new IllegalStateException("no vector form: " + m.op);
            }
        }

        private void binary(int k, BinaryFn fn) {
            switch (fn) {
                case ADD, SUB, MUL, DIV -> {
                    operand(k, 0);
                    operand(k, 1);
                    code.invokevirtual(FLOAT_VECTOR, fn.name().toLowerCase(java.util.Locale.ROOT), VECTOR_TO_VECTOR);
                }
                case MAX, MIN -> { // lanewise(MAX/MIN), as the kernels' vector bodies
                    operand(k, 0);
                    code.getstatic(OPERATORS, fn.name(), ASSOCIATIVE);
                    operand(k, 1);
                    code.invokevirtual(FLOAT_VECTOR, "lanewise", MethodTypeDesc.of(FLOAT_VECTOR, BINARY_OPERATOR, VECTOR));
                }
                default -> { // comparisons
                    operand(k, 0);
                    code.getstatic(OPERATORS, fn.name(), COMPARISON);
                    operand(k, 1);
                    code.invokevirtual(FLOAT_VECTOR, "compare", MethodTypeDesc.of(VECTOR_MASK, COMPARISON, VECTOR));
                }
            }
        }

        private void unary(int k, UnaryFn fn) {
            switch (fn) {
                case NEG, ABS, SQRT -> {
                    operand(k, 0);
                    code.invokevirtual(FLOAT_VECTOR, fn.name().toLowerCase(java.util.Locale.ROOT), TO_VECTOR);
                }
                case SQUARE -> {
                    operand(k, 0);
                    operand(k, 0);
                    code.invokevirtual(FLOAT_VECTOR, "mul", VECTOR_TO_VECTOR);
                }
                case RECIPROCAL -> {
                    code.aload(constants.get("one"));
                    operand(k, 0);
                    code.invokevirtual(FLOAT_VECTOR, "div", VECTOR_TO_VECTOR);
                }
                case RSQRT -> {
                    code.aload(constants.get("one"));
                    operand(k, 0);
                    code.invokevirtual(FLOAT_VECTOR, "sqrt", TO_VECTOR);
                    code.invokevirtual(FLOAT_VECTOR, "div", VECTOR_TO_VECTOR);
                }
                case EXP, EXPM1, LOG, SIGMOID, RELU, ELU, STEP -> { // the array kernels' vector bodies
                    operand(k, 0);
                    code.invokestatic(VECTOR_FUNCTIONS, fn.name().toLowerCase(java.util.Locale.ROOT),
                            MethodTypeDesc.of(FLOAT_VECTOR, FLOAT_VECTOR));
                }
                default -> throw new IllegalStateException("no vector form: " + fn);
            }
        }
    }
}
