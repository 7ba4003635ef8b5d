package org.kqsweep.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.kqsweep.quant.Method;

class GridTest {

    private static final List<String> LAYERS = List.of("conv1", "conv2", "dense", "output");

    private static SweepConfig config(String... overrides) {
        return SweepConfig.defaults().with(overrides);
    }

    @Test
    void cellCountIsProduct() {
        SweepConfig config = config("grid.methods=mllib,fixed,uniform", "grid.k=2,4,8", "grid.layers=each,all",
                "grid.seeds=1,2");

        List<Cell> cells = Grid.cells(config, LAYERS);

        // 3 methods x 3 K x (4 layers + all) x 2 seeds.
        assertEquals(3 * 3 * 5 * 2, cells.size());
    }

    @Test
    void cellCountWithDefaults() {
        SweepConfig config = SweepConfig.defaults();
        int expected = config.methods().size() * config.ks().size() * (LAYERS.size() + 1) * config.seeds().size();

        assertEquals(expected, Grid.cells(config, LAYERS).size());
    }

    @Test
    void eachExpandsInLayerOrder() {
        assertEquals(LAYERS, Grid.layerTargets(List.of("each"), LAYERS));
    }

    @Test
    void allKept() {
        assertEquals(List.of("conv2", "all"), Grid.layerTargets(List.of("conv2", "all"), LAYERS));
    }

    @Test
    void duplicateTargetsCollapse() {
        List<String> targets = Grid.layerTargets(List.of("dense", "each", "all", "all", "conv1"), LAYERS);

        assertEquals(List.of("dense", "conv1", "conv2", "output", "all"), targets);
    }

    @Test
    void duplicateValuesCollapse() {
        SweepConfig config = config("grid.methods=fixed,fixed", "grid.k=4,4,8", "grid.layers=conv1,each,conv1",
                "grid.seeds=3,3");

        List<Cell> cells = Grid.cells(config, LAYERS);

        // 1 method x 2 K x 4 layers x 1 seed.
        assertEquals(8, cells.size());
    }

    @Test
    void unknownLayerRejected() {
        SweepConfig config = config("grid.layers=conv1,conv9");

        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> Grid.cells(config, LAYERS));

        assertTrue(error.getMessage().contains("'conv9'"), error.getMessage());
        assertTrue(error.getMessage().contains("conv1, conv2, dense, output"), error.getMessage());
    }

    @Test
    void layerNameCaseMatters() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> Grid.layerTargets(List.of("Conv1"), LAYERS));

        assertTrue(error.getMessage().contains("'Conv1'"), error.getMessage());
    }

    @Test
    void cellsGroupedByKMethodAndSeed() {
        SweepConfig config = config("grid.methods=fixed,uniform", "grid.k=2,4", "grid.layers=conv1,all",
                "grid.seeds=7,9");

        List<Cell> cells = Grid.cells(config, LAYERS);

        String parameters = config.methodParameters(Method.FIXED);
        assertEquals(new Cell(Method.FIXED, "conv1", 2, 7, parameters), cells.get(0));
        assertEquals(new Cell(Method.FIXED, "all", 2, 7, parameters), cells.get(1));
        assertEquals(new Cell(Method.FIXED, "conv1", 2, 9, parameters), cells.get(2));
        assertEquals(new Cell(Method.UNIFORM, "conv1", 2, 7, config.methodParameters(Method.UNIFORM)),
                cells.get(4));
        assertEquals(new Cell(Method.FIXED, "conv1", 4, 7, parameters), cells.get(8));
    }

    @Test
    void cellKeyNamesEveryField() {
        Cell cell = new Cell(Method.FIXED, "conv2", 16, 3, "word-bits=16");

        assertEquals("abc|fixed|word-bits=16|conv2|16|3", cell.key("abc"));
    }
}
