// The prize wheel, drawn by lucky-canvas (vendored, global `LuckyCanvas`). It spins while
// the draw request is in flight and stops on the slice of the prize the server chose,
// never before the server answered; a failed draw stops it at once (`stop(-1)`).
// Its state is mirrored on the element's data attributes (styling and the browser tests):
// data-state (idle | spinning | stopping), data-stop-index (what stop() was given),
// data-landed-index (the slice lucky-canvas says it ended on), data-rotation (degrees).

import { pictureUrl } from "./format.js";
import { patchLuckyWheel } from "./lucky-patch.js";

const SLICE_COLORS = ["#fff6e0", "#ffe1a1"];
const SOLD_OUT_COLOR = "#e7e1d8";
const RIM_PICTURE = "img/rim.svg";

/** Motion settings: a lively spin, or a short one for people who asked for less motion. */
function motion(reduced) {
  return reduced
    ? { speed: 10, accelerationTime: 300, decelerationTime: 900, stopRange: 0.6 }
    : { speed: 22, accelerationTime: 1200, decelerationTime: 3200, stopRange: 0.7 };
}

/** One slice's look: its colour, picture and up to three lines (name, price, stock). */
function sliceConfig(prize, index, size, labels, pageUrl) {
  const soldOut = prize.remaining === 0;
  const picture = pictureUrl(prize.picture, pageUrl);
  const px = (fraction) => `${Math.max(8, Math.round(size * fraction))}px`;
  return {
    slice: index,
    background: soldOut ? SOLD_OUT_COLOR : SLICE_COLORS[index % SLICE_COLORS.length],
    fonts: [
      { text: prize.name, top: "5%", fontSize: px(0.037), fontWeight: "700", fontColor: soldOut ? "#8a817a" : "#7a1018" },
      { text: labels.price(prize), top: "17%", fontSize: px(0.03), fontColor: soldOut ? "#8a817a" : "#b23a00" },
      { text: labels.stock(prize), top: "63%", fontSize: px(0.025), fontColor: "#8a6d52" },
    ],
    imgs: picture ? [{ src: picture, width: px(0.085), height: px(0.085), top: "30%" }] : [],
  };
}

/** The lucky-canvas wheel on `element`; `onPress` runs when its centre button is clicked. */
export class Wheel {
  constructor(element, { onPress, reducedMotion, pageUrl }) {
    patchLuckyWheel(LuckyCanvas.LuckyWheel);
    this.element = element;
    this.onPress = onPress;
    this.reducedMotion = reducedMotion;
    this.pageUrl = pageUrl;
    this.lucky = null;
    this.slices = [];
    this.labels = null;
    this.size = 0;
    this.finish = null;
    this.setState("idle");
  }

  /** True from `spin` until the wheel has come to rest. */
  get spinning() {
    return this.element.dataset.state !== "idle";
  }

  /** Draws `slices` (prizes in wheel order) with `labels` ({ go, price(prize), stock(prize) }). */
  render(slices, labels) {
    this.slices = slices;
    this.labels = labels;
    if (this.spinning) return; // redrawn when it stops
    const size = Math.round(this.element.clientWidth);
    if (size === 0) return;
    const config = this.config(size);
    if (!this.lucky || size !== this.size) {
      this.element.replaceChildren();
      this.lucky = new LuckyCanvas.LuckyWheel(this.element, config);
      this.size = size;
    } else {
      this.lucky.prizes = config.prizes;
      this.lucky.buttons = config.buttons;
    }
  }

  /** Redraws at the element's current width (after a resize or a layout change). */
  refit() {
    if (this.labels && Math.round(this.element.clientWidth) !== this.size) this.render(this.slices, this.labels);
  }

  /**
   * Spins until `draw` (a promise of the API's answer) settles, then stops on
   * `sliceFor(answer)`. Resolves to the answer once the wheel rests; rejects with the
   * draw's error right after stopping the wheel.
   */
  async spin(draw, sliceFor) {
    const landed = new Promise((resolve) => {
      this.finish = resolve;
    });
    this.setState("spinning");
    delete this.element.dataset.stopIndex;
    delete this.element.dataset.landedIndex;
    this.lucky.play();
    let answer;
    let slice;
    try {
      answer = await draw;
      slice = sliceFor(answer);
      if (slice < 0) throw new Error(`the wheel has no slice for the answer ${JSON.stringify(answer)}`);
    } catch (error) {
      // stop(-1) halts at once; lucky-canvas confirms on its next frame (not in a hidden tab).
      this.lucky.stop(-1);
      await Promise.race([landed, new Promise((resolve) => setTimeout(resolve, 500))]);
      this.finish = null;
      this.setState("idle");
      throw error;
    }
    this.element.dataset.stopIndex = String(slice);
    this.setState("stopping");
    this.lucky.stop(slice);
    const prize = await landed;
    this.element.dataset.landedIndex = String(prize?.slice ?? -1);
    this.element.dataset.rotation = String(this.lucky.rotateDeg);
    this.setState("idle");
    this.render(this.slices, this.labels);
    return answer;
  }

  setState(state) {
    this.element.dataset.state = state;
    this.element.setAttribute("aria-busy", String(state !== "idle"));
  }

  /** lucky-canvas's whole configuration at `size` pixels. */
  config(size) {
    const labels = this.labels;
    return {
      width: `${size}px`,
      height: `${size}px`,
      blocks: [
        { padding: `${Math.round(size * 0.055)}px`, imgs: [{ src: RIM_PICTURE, width: "100%", height: "100%" }] },
      ],
      prizes: this.slices.map((prize, index) => sliceConfig(prize, index, size, labels, this.pageUrl)),
      buttons: [
        { radius: "36%", background: "#f4a300" },
        { radius: "31%", background: "#ffe08a" },
        {
          radius: "25%",
          background: "#c1121f",
          pointer: true,
          fonts: [{ text: labels.go, top: `-${Math.round(size * 0.03)}px`, fontColor: "#fff", fontWeight: "800", fontSize: `${Math.round(size * 0.05)}px` }],
        },
      ],
      defaultStyle: { fontStyle: 'system-ui, "PingFang SC", "Microsoft YaHei", sans-serif' },
      defaultConfig: { gutter: "1px", ...motion(this.reducedMotion) },
      start: () => this.onPress(),
      end: (prize) => {
        this.finish?.(prize);
        this.finish = null;
      },
    };
  }
}
