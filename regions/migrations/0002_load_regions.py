"""Load Kazakhstan's 20 first-level units (since 8 June 2022): 17 regions and 3 cities of
republican significance. Codes are the two-digit KATO prefix; points are WGS 84."""

from decimal import Decimal

from django.db import migrations

REGIONS = [
    # code, iso, name kk/ru/en, centre kk/ru/en, lat, lon
    ('10', 'KZ-10', 'Абай облысы', 'область Абай', 'Abai Region', 'Семей', 'Семей', 'Semey', '50.4172', '80.2323'),
    ('11', 'KZ-11', 'Ақмола облысы', 'Акмолинская область', 'Akmola Region', 'Көкшетау', 'Кокшетау', 'Kokshetau', '53.2852', '69.3815'),
    ('15', 'KZ-15', 'Ақтөбе облысы', 'Актюбинская область', 'Aktobe Region', 'Ақтөбе', 'Актобе', 'Aktobe', '50.2796', '57.2125'),
    ('19', 'KZ-19', 'Алматы облысы', 'Алматинская область', 'Almaty Region', 'Қонаев', 'Конаев', 'Konaev', '43.8441', '77.0401'),
    ('23', 'KZ-23', 'Атырау облысы', 'Атырауская область', 'Atyrau Region', 'Атырау', 'Атырау', 'Atyrau', '47.1053', '51.9245'),
    ('27', 'KZ-27', 'Батыс Қазақстан облысы', 'Западно-Казахстанская область', 'West Kazakhstan Region', 'Орал', 'Уральск', 'Oral', '51.2224', '51.3734'),
    ('31', 'KZ-31', 'Жамбыл облысы', 'Жамбылская область', 'Zhambyl Region', 'Тараз', 'Тараз', 'Taraz', '42.9016', '71.3769'),
    ('33', 'KZ-33', 'Жетісу облысы', 'область Жетісу', 'Zhetisu Region', 'Талдықорған', 'Талдыкорган', 'Taldykorgan', '45.0164', '78.3792'),
    ('35', 'KZ-35', 'Қарағанды облысы', 'Карагандинская область', 'Karaganda Region', 'Қарағанды', 'Караганда', 'Karaganda', '49.8161', '73.1027'),
    ('39', 'KZ-39', 'Қостанай облысы', 'Костанайская область', 'Kostanay Region', 'Қостанай', 'Костанай', 'Kostanay', '53.2147', '63.6326'),
    ('43', 'KZ-43', 'Қызылорда облысы', 'Кызылординская область', 'Kyzylorda Region', 'Қызылорда', 'Кызылорда', 'Kyzylorda', '44.8427', '65.5036'),
    ('47', 'KZ-47', 'Маңғыстау облысы', 'Мангистауская область', 'Mangystau Region', 'Ақтау', 'Актау', 'Aktau', '43.6521', '51.1580'),
    ('55', 'KZ-55', 'Павлодар облысы', 'Павлодарская область', 'Pavlodar Region', 'Павлодар', 'Павлодар', 'Pavlodar', '52.2840', '76.9646'),
    ('59', 'KZ-59', 'Солтүстік Қазақстан облысы', 'Северо-Казахстанская область', 'North Kazakhstan Region', 'Петропавл', 'Петропавловск', 'Petropavl', '54.8668', '69.1335'),
    ('61', 'KZ-61', 'Түркістан облысы', 'Туркестанская область', 'Turkistan Region', 'Түркістан', 'Туркестан', 'Turkistan', '43.2987', '68.2630'),
    ('62', 'KZ-62', 'Ұлытау облысы', 'область Ұлытау', 'Ulytau Region', 'Жезқазған', 'Жезказган', 'Zhezkazgan', '47.8009', '67.7060'),
    ('63', 'KZ-63', 'Шығыс Қазақстан облысы', 'Восточно-Казахстанская область', 'East Kazakhstan Region', 'Өскемен', 'Усть-Каменогорск', 'Oskemen', '49.9565', '82.6119'),
    ('71', 'KZ-71', 'Астана қаласы', 'город Астана', 'Astana', 'Астана', 'Астана', 'Astana', '51.1658', '71.4576'),
    ('75', 'KZ-75', 'Алматы қаласы', 'город Алматы', 'Almaty', 'Алматы', 'Алматы', 'Almaty', '43.2567', '76.9286'),
    ('79', 'KZ-79', 'Шымкент қаласы', 'город Шымкент', 'Shymkent', 'Шымкент', 'Шымкент', 'Shymkent', '42.3353', '69.6028'),
]


def load(apps, schema_editor):
    Region = apps.get_model("regions", "Region")
    for code, iso, name_kk, name_ru, name_en, center_kk, center_ru, center_en, lat, lon in REGIONS:
        Region.objects.update_or_create(
            code=code,
            defaults={
                "iso_code": iso,
                "name_kk": name_kk,
                "name_ru": name_ru,
                "name_en": name_en,
                "center_kk": center_kk,
                "center_ru": center_ru,
                "center_en": center_en,
                "latitude": Decimal(lat),
                "longitude": Decimal(lon),
            },
        )


def unload(apps, schema_editor):
    apps.get_model("regions", "Region").objects.filter(code__in=[r[0] for r in REGIONS]).delete()


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
