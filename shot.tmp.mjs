import { chromium } from 'playwright-core';
const [,, password, ...paths] = process.argv;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
await page.goto('http://localhost:4700/');
await page.getByLabel(/メール|Email/).fill('admin@kizuna.local');
await page.getByLabel(/パスワード|Password/).fill(password);
await page.getByRole('button', { name: /サインイン|ログイン|Sign in/ }).click();
await page.waitForTimeout(1500);
for (const p of paths) {
  await page.goto(`http://localhost:4700/w/demo/${p}`);
  await page.waitForTimeout(4000);
  const name = p.replace(/[^a-z0-9]+/gi, '_');
  await page.screenshot({ path: `/tmp/shot_${name}.png`, fullPage: true });
  console.log('shot', name);
}
await browser.close();
